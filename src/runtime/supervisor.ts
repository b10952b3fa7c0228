// The control API's view of the fleet: status, actions that wait for their outcome, events, output.
import type { LifecycleEvent, VassalStatus } from '../core/status.js';
import { exitWords } from '../core/exit-words.js';
import { stateOf } from '../core/snapshot.js';
import type { Vassal } from '../core/vassal.js';
import { EmperorError } from '../errors.js';
import type { ActionOutcome, OutputLine, SupervisorPort, VassalAction } from '../control/supervisor-port.js';
import type { Fleet } from './fleet.js';

type Verdict = { ok: boolean; message: string; failedStep?: string } | null;

export class Supervisor implements SupervisorPort {
  readonly #fleet: Fleet;
  readonly #info: ReturnType<SupervisorPort['info']>;
  #shuttingDown = false;

  constructor(fleet: Fleet, info: ReturnType<SupervisorPort['info']>) {
    this.#fleet = fleet;
    this.#info = info;
  }

  markShuttingDown(): void {
    this.#shuttingDown = true;
  }

  list(): VassalStatus[] {
    return this.#fleet.names().map((n) => this.#fleet.status(n)).filter((s): s is VassalStatus => s !== undefined);
  }

  get(name: string): VassalStatus | undefined {
    return this.#fleet.status(name);
  }

  async act(name: string, action: VassalAction, wait: boolean): Promise<ActionOutcome> {
    const v = this.#fleet.vassal(name);
    if (!v) throw new EmperorError('EMP_ERR_UNKNOWN_VASSAL', `no vassal named "${name}" (known: ${this.#fleet.names().join(', ') || 'none'})`);
    refuse(v, action, this.#shuttingDown);
    const target = v.rev + 1;
    const seen: LifecycleEvent[] = [];
    const outcome = new Promise<ActionOutcome>((resolve) => {
      if (!wait) return;
      const check = (): void => {
        const now = this.#fleet.vassal(name);
        const verdict = judge(action, now, target, seen);
        if (!verdict) return;
        unsubscribe();
        clearTimeout(timer);
        resolve({ ...verdict, status: this.#fleet.status(name) ?? null });
      };
      const unsubscribe = this.#fleet.subscribe((e) => {
        if (e.vassal !== name) return;
        seen.push(e);
        check();
      });
      const limit = waitLimitMs(v);
      const timer = setTimeout(() => {
        unsubscribe();
        resolve({ ok: false, message: `${name}: no outcome within ${Math.round(limit / 1000)}s (state ${this.#fleet.status(name)?.state ?? 'gone'})`, status: this.#fleet.status(name) ?? null });
      }, limit);
      queueMicrotask(check);
    });
    this.#fleet.dispatch(name, { type: 'command', action });
    if (!wait) return { ok: true, message: `${name}: ${action} requested`, status: this.#fleet.status(name) ?? null };
    return outcome;
  }

  subscribe(listener: (event: LifecycleEvent) => void): () => void {
    return this.#fleet.subscribe(listener);
  }

  output(name: string, limit: number): OutputLine[] | undefined {
    return this.#fleet.ring(name)?.last(limit);
  }

  followOutput(name: string, listener: (line: OutputLine) => void): () => void {
    return this.#fleet.ring(name)?.follow(listener) ?? (() => {});
  }

  info(): ReturnType<SupervisorPort['info']> {
    return this.#info;
  }
}

// Throws when the action cannot be done in the vassal's present state.
function refuse(v: Vassal, action: VassalAction, shuttingDown: boolean): void {
  if (shuttingDown) throw new EmperorError('EMP_ERR_SHUTTING_DOWN', 'the emperor is shutting down');
  if (action === 'stop' || action === 'start') return;
  if (v.errorKind === 'config' || !v.spec) throw new EmperorError('EMP_ERR_BROKEN', `${v.name} is broken: ${v.error ?? 'its file has not loaded'}`);
  if (action === 'dance') {
    if (!v.spec.standin) throw new EmperorError('EMP_ERR_NO_DANCE', `${v.name} has no stand-in: add \`standin:\` to its emperor section to dance`);
    if (v.op.kind === 'dance') throw new EmperorError('EMP_ERR_DANCE_RUNNING', `a restart dance of ${v.name} is already under way (step ${v.op.step})`);
    const serving = v.instances.some((i) => i.role === 'main' && i.phase === 'ready');
    if (!serving || v.want === 'down') throw new EmperorError('EMP_ERR_NOT_RUNNING', `${v.name} is not running: start it before dancing`);
  }
}

function waitLimitMs(v: Vassal): number {
  const p = v.spec?.process;
  const s = v.spec?.standin;
  const per = (p?.readyTimeoutMs ?? 60_000) + (p?.stopTimeoutMs ?? 10_000);
  return per * 2 + (s ? s.readyTimeoutMs + s.stopTimeoutMs : 0) + 5_000;
}

// Whether the action has reached its outcome yet.
function judge(action: VassalAction, v: Vassal | undefined, target: number, seen: readonly LifecycleEvent[]): Verdict {
  if (!v) return action === 'stop' ? { ok: true, message: 'stopped and forgotten' } : { ok: false, message: 'the vassal is gone' };
  const state = stateOf(v, Date.now());
  const mainReady = v.instances.find((i) => i.role === 'main' && i.phase === 'ready');
  switch (action) {
    case 'stop':
      return v.instances.length === 0 ? { ok: true, message: `${v.name}: stopped` } : null;
    case 'start':
    case 'reload': {
      if (v.error) return { ok: false, message: `${v.name}: broken: ${v.error}` };
      if (action === 'reload' && v.failedRev !== null && v.failedRev >= target) return { ok: false, message: `${v.name}: ${v.failedReason ?? 'reload failed'}` };
      if (state === 'throttled') return { ok: false, message: `${v.name}: instance keeps dying; throttled (last exit ${describe(v)})` };
      const fresh = action === 'start' || (mainReady !== undefined && mainReady.rev >= target);
      if (state === 'running' && mainReady && fresh && v.op.kind === 'none') return { ok: true, message: `${v.name}: running (pid ${mainReady.pid}, generation ${mainReady.generation})` };
      return null;
    }
    case 'dance': {
      const done = seen.find((e) => e.type === 'dance-done');
      if (done) return { ok: true, message: `${v.name}: ${done.message}` };
      const failed = seen.find((e) => e.type === 'dance-failed');
      if (failed) return { ok: false, message: `${v.name}: ${failed.message}`, failedStep: failed.step ?? 'unknown' };
      return null;
    }
  }
}

function describe(v: Vassal): string {
  const e = v.lastExit;
  return e ? exitWords(e.code, e.signal) : 'unknown';
}
