// An in-memory SupervisorPort for control and CLI tests: a test double of the interface,
// with the behaviour of each action kept simple and observable.
import type { VassalAction } from '../../../src/core/command-types.js';
import type { LifecycleEvent } from '../../../src/core/lifecycle-event.js';
import type { DanceStep } from '../../../src/core/operation.js';
import type { GroupUsage, OutputLine, VassalStatus } from '../../../src/core/status.js';
import type { ActionOutcome, BatchOutcome, SupervisorPort } from '../../../src/control/supervisor-port.js';
import { EmperorError } from '../../../src/errors.js';

// A full VassalStatus with sensible defaults for a running vassal.
export function makeStatus(name: string, overrides: Partial<VassalStatus> = {}): VassalStatus {
  return {
    name,
    file: `/vassals/${name}.yaml`,
    state: 'running',
    pid: 1000,
    generation: 1,
    restarts: 0,
    uptime: 42,
    lastExit: null,
    error: null,
    nextStartAt: null,
    throttleDelayMs: 0,
    reload: 'stop-start',
    want: 'up',
    sockets: [],
    instances: [],
    dance: null,
    note: '',
    warnings: [],
    after: [],
    fleet: null,
    ...overrides,
  };
}

export class MemorySupervisor implements SupervisorPort {
  readonly vassals = new Map<string, VassalStatus>();
  readonly calls: { name: string; action: VassalAction; wait: boolean }[] = [];
  /** Next action on these vassals fails with this message (the step is 'stand-in ready' for dances). */
  readonly failNext = new Map<string, string>();
  /** What GET /emperor reports as wrong with the surroundings. */
  problems: string[] = [];
  private readonly listeners = new Set<(event: LifecycleEvent) => void>();
  private readonly outputs = new Map<string, OutputLine[]>();
  private readonly outputListeners = new Map<string, Set<(line: OutputLine) => void>>();
  private readonly allListeners = new Set<(vassal: string, line: OutputLine) => void>();
  reopened = 0;
  private nextCommand = 0;

  constructor(statuses: VassalStatus[] = []) {
    for (const s of statuses) this.vassals.set(s.name, s);
  }

  list(): VassalStatus[] {
    return [...this.vassals.values()];
  }

  get(name: string): VassalStatus | undefined {
    return this.vassals.get(name);
  }

  async act(name: string, action: VassalAction, wait: boolean): Promise<ActionOutcome> {
    const current = this.vassals.get(name);
    if (!current) throw new EmperorError('EMP_ERR_UNKNOWN_VASSAL', `no vassal named '${name}'`);
    if (current.state === 'broken') throw new EmperorError('EMP_ERR_BROKEN', `${name}: ${current.file} is invalid`);
    if (action === 'dance' && current.reload !== 'dance') throw new EmperorError('EMP_ERR_NO_DANCE', `${name} has no stand-in`);
    this.calls.push({ name, action, wait });
    const command = ++this.nextCommand;
    const failure = this.failNext.get(name);
    this.failNext.delete(name);
    if (action === 'dance') {
      // Like the real emperor: the steps and the outcome (a `done` event) follow on the event stream.
      const dancing = this.dance(current, failure, command);
      return wait ? dancing : { ok: true, command, message: `${name}: dance accepted`, status: current };
    }
    if (failure) {
      return { ok: false, command, message: `${name}: ${action} failed at stand-in ready: ${failure}`, failedStep: 'stand-in ready', status: current };
    }
    const next = this.commit(current, action);
    const message = next.state === 'stopped' ? `${name}: stopped` : `${name}: running (pid ${next.pid}, generation ${next.generation})`;
    return { ok: true, command, message: wait ? message : `${name}: ${action} accepted`, status: next };
  }

  async actAll(names: readonly string[], action: VassalAction, wait: boolean): Promise<BatchOutcome[]> {
    const results: BatchOutcome[] = [];
    for (const name of names) {
      try {
        const { status: _status, ...outcome } = await this.act(name, action, wait);
        results.push({ name, ...outcome });
      } catch (err) {
        if (!(err instanceof EmperorError)) throw err;
        results.push({ name, ok: false, message: err.message, code: err.code });
      }
    }
    return results;
  }

  // Applies a successful action and emits what the emperor would.
  private commit(current: VassalStatus, action: VassalAction): VassalStatus {
    const name = current.name;
    const next = this.apply(current, action);
    this.vassals.set(name, next);
    this.emit({ at: Date.now(), vassal: name, level: 'info', type: 'state', message: `${name} is ${next.state}`, state: next.state, from: current.state });
    if (next.pid !== null && action !== 'stop') this.emit({ at: Date.now(), vassal: name, level: 'info', type: 'spawned', message: 'spawned', pid: next.pid, generation: next.generation, role: 'main' });
    if (action === 'stop') this.emit({ at: Date.now(), vassal: name, level: 'info', type: 'exited', message: 'exited', expected: true, code: 0, signal: null, generation: current.generation, role: 'main' });
    return next;
  }

  subscribe(listener: (event: LifecycleEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  output(name: string, limit: number, since: number | null): Promise<OutputLine[]> | undefined {
    if (!this.vassals.has(name)) return undefined;
    const lines = (this.outputs.get(name) ?? []).filter((l) => since === null || (l.at ?? 0) >= since);
    return Promise.resolve(limit === 0 ? [] : lines.slice(-limit));
  }

  followAllOutput(listener: (vassal: string, line: OutputLine) => void): () => void {
    this.allListeners.add(listener);
    return () => this.allListeners.delete(listener);
  }

  reopenLogs(): { files: number; emperorLog: boolean } {
    this.reopened++;
    return { files: 0, emperorLog: false };
  }

  droppedLogLines(): ReadonlyMap<string, number> {
    return new Map([...this.vassals.keys()].map((name) => [name, 0]));
  }

  followOutput(name: string, listener: (line: OutputLine) => void): () => void {
    const set = this.outputListeners.get(name) ?? new Set();
    this.outputListeners.set(name, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  followerCount(name: string): number {
    return this.outputListeners.get(name)?.size ?? 0;
  }

  usage(): Promise<ReadonlyMap<string, GroupUsage | null>> {
    return Promise.resolve(new Map([...this.vassals.values()].map((v) => [v.name, v.pid === null ? null : { cpuPercent: 1.5, cpuSeconds: 2, rssBytes: 10 * 1024 * 1024, processes: 1 }])));
  }

  info() {
    return { pid: process.pid, startedAt: 1_700_000_000_000, vassalsDir: '/vassals', sources: [], version: '0.1.0', problems: this.problems, fleet: null };
  }

  fleetNodes(): Promise<never> {
    return Promise.reject(new EmperorError('EMP_ERR_NOT_IN_FLEET', 'this emperor runs alone: start it with --fleet etcd://HOST:PORT to join a fleet'));
  }

  fleetRoll(): Promise<never> {
    return this.fleetNodes();
  }

  emit(event: LifecycleEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  addOutput(name: string, text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    const line: OutputLine = { at: Date.now(), generation: this.vassals.get(name)?.generation ?? 0, stream, line: text };
    const lines = this.outputs.get(name) ?? [];
    lines.push(line);
    this.outputs.set(name, lines);
    for (const listener of this.outputListeners.get(name) ?? []) listener(line);
    for (const listener of this.allListeners) listener(name, line);
  }

  private async dance(current: VassalStatus, failure: string | undefined, command: number): Promise<ActionOutcome> {
    const name = current.name;
    const words = failure ? ['stand-in started'] : ['stand-in started', 'stand-in ready', 'original stopped', 'original ready', 'stand-in stopped'];
    const steps: DanceStep[] = ['standin-starting', 'main-stopping', 'main-starting', 'standin-stopping', 'standin-stopping'];
    for (const [i, word] of words.entries()) {
      await new Promise((resolve) => setImmediate(resolve));
      this.emit({ at: Date.now(), vassal: name, level: 'info', type: 'dance-step', message: `${word} in ${((100 * (i + 1)) / 1000).toFixed(2)}s`, step: steps[i] ?? 'standin-stopping', durationMs: 100 * (i + 1) });
    }
    const at = Date.now();
    if (failure) {
      const message = `${name}: dance failed at stand-in ready: ${failure}`;
      this.emit({ at, vassal: name, level: 'error', type: 'dance-failed', message: failure, step: 'standin-starting', durationMs: 100 });
      this.emit({ at, vassal: name, level: 'warn', type: 'done', command, action: 'dance', ok: false, step: 'stand-in ready', message });
      return { ok: false, command, message, failedStep: 'stand-in ready', status: current };
    }
    const next = this.commit(current, 'dance');
    const message = `${name}: running (pid ${next.pid}, generation ${next.generation})`;
    this.emit({ at, vassal: name, level: 'info', type: 'dance-done', message: `${name}: dance done`, durationMs: 500 });
    this.emit({ at, vassal: name, level: 'info', type: 'done', command, action: 'dance', ok: true, message });
    return { ok: true, command, message, status: next };
  }

  private apply(v: VassalStatus, action: VassalAction): VassalStatus {
    switch (action) {
      case 'stop':
        return { ...v, state: 'stopped', pid: null, uptime: null, want: 'down' };
      case 'start':
        return v.state === 'stopped' ? { ...v, state: 'running', pid: v.generation + 2000, generation: v.generation + 1, uptime: 0, want: 'up' } : v;
      case 'reload':
      case 'dance':
        return { ...v, state: 'running', pid: v.generation + 2000, generation: v.generation + 1, restarts: v.restarts + 1, uptime: 0 };
    }
  }
}
