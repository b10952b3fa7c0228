// The control API's view of the emperor, wired from the runtime's parts. It only forwards: the
// core decides whether a command is accepted and when it has its outcome.
import type { VassalAction } from '../core/command-types.js';
import type { LifecycleEvent } from '../core/lifecycle-event.js';
import type { FleetInfo, FleetNode, FleetRollEvent, GroupUsage, OutputLine, VassalSourceInfo, VassalStatus } from '../core/status.js';
import type { ActionOutcome, BatchOutcome, EmperorInfo, LogsReopened, SupervisorPort } from '../control/supervisor-port.js';
import { EmperorError } from '../errors.js';
import { refusalError } from '../control/refusal-error.js';
import type { Dispatcher } from '../runtime/dispatcher.js';
import type { EventBus } from '../runtime/event-bus.js';
import { sumUsage, type GroupUsageSampler } from '../runtime/group-usage.js';
import type { ReadModel } from '../runtime/read-model.js';
import { etcdErrorText } from '../lib/etcd-error.js';

/** What the supervisor reads of the fleet (the runtime's EtcdFleet). */
export interface FleetView {
  info(): FleetInfo;
  nodes(timeoutMs: number): Promise<FleetNode[]>;
  planRoll(vassal: string, timeoutMs: number): Promise<{ readonly nodes: readonly string[]; readonly skipped: readonly { readonly node: string; readonly state: string }[] }>;
  roll(vassal: string, nodes: readonly string[], emit: (e: FleetRollEvent) => void): Promise<{ ok: boolean; message: string }>;
}

const FLEET_READ_TIMEOUT_MS = 3000;

type DoneEvent = Extract<LifecycleEvent, { type: 'done' }>;
/** One vassal's answer to a command: refused, or its outcome (without the status, read last). */
type Sent = { readonly name: string; readonly refusal: EmperorError } | { readonly name: string; readonly outcome: Omit<ActionOutcome, 'status'> };

export class Supervisor implements SupervisorPort {
  readonly #dispatcher: Dispatcher;
  readonly #bus: EventBus;
  readonly #read: ReadModel;
  readonly #usage: GroupUsageSampler;
  readonly #info: Omit<EmperorInfo, 'fleet' | 'problems' | 'sources'>;
  readonly #reopenLogs: () => LogsReopened;
  readonly #problems: () => readonly string[];
  readonly #sources: () => readonly VassalSourceInfo[];
  readonly #fleet: FleetView | null;

  constructor(
    parts: { dispatcher: Dispatcher; bus: EventBus; read: ReadModel; usage: GroupUsageSampler; reopenLogs: () => LogsReopened; problems: () => readonly string[]; fleet: FleetView | null; sources: () => readonly VassalSourceInfo[] },
    info: Omit<EmperorInfo, 'fleet' | 'problems' | 'sources'>,
  ) {
    this.#dispatcher = parts.dispatcher;
    this.#bus = parts.bus;
    this.#read = parts.read;
    this.#usage = parts.usage;
    this.#reopenLogs = parts.reopenLogs;
    this.#problems = parts.problems;
    this.#sources = parts.sources;
    this.#fleet = parts.fleet;
    this.#info = info;
  }

  async usage(opts: { readonly cpuPercent?: boolean } = {}): Promise<ReadonlyMap<string, GroupUsage | null>> {
    const groups = await this.#usage.sample(opts.cpuPercent !== false);
    // Instances lead their own process group: the group id is the instance's pid.
    return new Map(this.#read.list().map((v) => [v.name, sumUsage(v.instances.map((i) => (i.pid === null ? undefined : groups.get(i.pid))))]));
  }

  list(): VassalStatus[] {
    return this.#read.list();
  }

  get(name: string): VassalStatus | undefined {
    return this.#read.get(name);
  }

  async act(name: string, action: VassalAction, wait: boolean): Promise<ActionOutcome> {
    const [result] = await this.#send([name], action, wait);
    if (result === undefined) throw new EmperorError('EMP_ERR_INTERNAL', `${name}: the command got no answer`);
    if ('refusal' in result) throw result.refusal;
    return { ...result.outcome, status: this.#read.get(name) ?? null };
  }

  async actAll(names: readonly string[], action: VassalAction, wait: boolean): Promise<BatchOutcome[]> {
    const results = await this.#send(names, action, wait);
    const byName = new Map(results.map((r) => [r.name, r]));
    return names.map((name): BatchOutcome => {
      const r = byName.get(name);
      if (r === undefined) return { name, ok: false, message: `${name}: the command got no answer`, code: 'EMP_ERR_INTERNAL' };
      if ('refusal' in r) return { name, ok: false, message: r.refusal.message, code: r.refusal.code };
      return { name, ...r.outcome };
    });
  }

  // Sends the commands in one turn (the dispatcher orders stops) and waits for each answer and,
  // with `wait`, each outcome. Outcomes can come out in the very step that accepts a command:
  // the listener is in place before anything is sent.
  async #send(names: readonly string[], action: VassalAction, wait: boolean): Promise<Sent[]> {
    const targets = new Set(names);
    const early = new Map<number, DoneEvent>();
    const waiting = new Map<number, (e: DoneEvent) => void>();
    const unsubscribe = this.#bus.subscribe((e) => {
      if (e.type !== 'done' || !targets.has(e.vassal)) return;
      const settle = waiting.get(e.command);
      if (settle) settle(e);
      else early.set(e.command, e);
    });
    try {
      const sent = this.#dispatcher.commandAll([...targets], action);
      return await Promise.all(
        sent.map(async ({ name, id, answer }): Promise<Sent> => {
          const answered = await answer;
          if (answered.kind === 'refused') return { name, refusal: refusalError(answered.code, answered.reason) };
          if (!wait) return { name, outcome: { ok: true, command: id, message: `${name}: ${action} requested` } };
          const done = early.get(id) ?? (await new Promise<DoneEvent>((resolve) => waiting.set(id, resolve)));
          return { name, outcome: { ok: done.ok, command: id, message: done.message, ...(done.step === undefined ? {} : { failedStep: done.step }) } };
        }),
      );
    } finally {
      unsubscribe();
    }
  }

  subscribe(listener: (event: LifecycleEvent) => void): () => void {
    return this.#bus.subscribe(listener);
  }

  output(name: string, limit: number, since: number | null): Promise<OutputLine[]> | undefined {
    return this.#read.output(name, limit, since);
  }

  followOutput(name: string, listener: (line: OutputLine) => void): () => void {
    return this.#read.followOutput(name, listener);
  }

  followAllOutput(listener: (vassal: string, line: OutputLine) => void): () => void {
    return this.#read.followAllOutput(listener);
  }

  reopenLogs(): LogsReopened {
    return this.#reopenLogs();
  }

  droppedLogLines(): ReadonlyMap<string, number> {
    return this.#read.droppedLogLines();
  }

  info(): EmperorInfo {
    return { ...this.#info, sources: this.#sources(), problems: this.#problems(), fleet: this.#fleet?.info() ?? null };
  }

  async fleetNodes(): Promise<FleetNode[]> {
    const fleet = this.#inFleet();
    return this.#fromEtcd(fleet, () => fleet.nodes(FLEET_READ_TIMEOUT_MS));
  }

  async fleetRoll(name: string): Promise<(emit: (e: FleetRollEvent) => void) => Promise<boolean>> {
    const fleet = this.#inFleet();
    const plan = await this.#fromEtcd(fleet, () => fleet.planRoll(name, FLEET_READ_TIMEOUT_MS));
    if (plan.nodes.length === 0) {
      const others = plan.skipped.map((s) => `${s.node}: ${s.state}`).join(', ');
      throw new EmperorError('EMP_ERR_UNKNOWN_VASSAL', `no node of the fleet runs ${name}${others ? ` (${others})` : ''}, so there is nothing to dance`);
    }
    return async (emit) => {
      emit({ type: 'plan', vassal: name, nodes: plan.nodes, skipped: plan.skipped });
      return (await fleet.roll(name, plan.nodes, emit)).ok;
    };
  }

  /** A dance here, for another node's rolling dance: its steps as they happen, then its outcome. */
  async danceHere(name: string, step: (message: string) => void): Promise<{ ok: boolean; message: string }> {
    const unsubscribe = this.#bus.subscribe((e) => {
      if (e.vassal === name && e.type === 'dance-step') step(e.message);
    });
    try {
      const outcome = await this.act(name, 'dance', true);
      return { ok: outcome.ok, message: outcome.message };
    } finally {
      unsubscribe();
    }
  }

  #inFleet(): FleetView {
    if (!this.#fleet) throw new EmperorError('EMP_ERR_NOT_IN_FLEET', 'this emperor runs alone: start it with --fleet etcd://HOST:PORT to join a fleet');
    return this.#fleet;
  }

  async #fromEtcd<T>(fleet: FleetView, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      throw new EmperorError('EMP_ERR_FLEET_UNREACHABLE', `fleet: disconnected: cannot read the fleet from etcd (${fleet.info().endpoints.join(', ')}): ${etcdErrorText(err)}`, { cause: err });
    }
  }
}
