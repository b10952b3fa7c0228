// An in-memory SupervisorPort for control and CLI tests: a test double of the interface,
// with the behaviour of each action kept simple and observable.
import type { LifecycleEvent, VassalStatus } from '../../../src/core/status.js';
import type { ActionOutcome, OutputLine, SupervisorPort, VassalAction } from '../../../src/control/supervisor-port.js';
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
    ...overrides,
  };
}

export class MemorySupervisor implements SupervisorPort {
  readonly vassals = new Map<string, VassalStatus>();
  readonly calls: { name: string; action: VassalAction; wait: boolean }[] = [];
  /** Next action on these vassals fails with this message (the step is 'stand-in ready' for dances). */
  readonly failNext = new Map<string, string>();
  private readonly listeners = new Set<(event: LifecycleEvent) => void>();
  private readonly outputs = new Map<string, OutputLine[]>();
  private readonly outputListeners = new Map<string, Set<(line: OutputLine) => void>>();

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
    const failure = this.failNext.get(name);
    this.failNext.delete(name);
    if (action === 'dance') await this.dance(name, failure);
    if (failure) {
      return { ok: false, message: `${name}: ${action} failed at stand-in ready: ${failure}`, failedStep: 'stand-in ready', status: current };
    }
    const next = this.apply(current, action);
    this.vassals.set(name, next);
    this.emit({ at: Date.now(), vassal: name, type: 'state', message: `${name} is ${next.state}`, state: next.state });
    if (next.pid !== null && action !== 'stop') this.emit({ at: Date.now(), vassal: name, type: 'spawned', message: 'spawned', pid: next.pid, generation: next.generation });
    if (action === 'stop') this.emit({ at: Date.now(), vassal: name, type: 'exited', message: 'exited', code: 0, signal: null });
    const message = next.state === 'stopped' ? `${name}: stopped` : `${name}: running (pid ${next.pid}, generation ${next.generation})`;
    return { ok: true, message: wait ? message : `${name}: ${action} accepted`, status: next };
  }

  subscribe(listener: (event: LifecycleEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  output(name: string, limit: number): OutputLine[] | undefined {
    if (!this.vassals.has(name)) return undefined;
    const lines = this.outputs.get(name) ?? [];
    return limit === 0 ? [] : lines.slice(-limit);
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

  info() {
    return { pid: process.pid, startedAt: 1_700_000_000_000, vassalsDir: '/vassals', version: '0.1.0' };
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
  }

  private async dance(name: string, failure: string | undefined): Promise<void> {
    const steps = failure ? ['stand-in started'] : ['stand-in started', 'stand-in ready', 'original stopped', 'original ready', 'stand-in stopped'];
    for (const [i, step] of steps.entries()) {
      await new Promise((resolve) => setImmediate(resolve));
      this.emit({ at: Date.now(), vassal: name, type: 'dance-step', message: `${step} in ${((100 * (i + 1)) / 1000).toFixed(2)}s`, step, durationMs: 100 * (i + 1) });
    }
    this.emit({ at: Date.now(), vassal: name, type: failure ? 'dance-failed' : 'dance-done', message: failure ?? `${name}: dance done` });
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
