// In-memory builders for core tests: specs and a driver that feeds events with a fake clock.
import type { ProcessSpec, VassalSpec } from '../../src/core/spec.js';
import type { Effect } from '../../src/core/effects.js';
import type { VassalAction } from '../../src/core/command-types.js';
import type { VassalEvent } from '../../src/core/events.js';
import { step } from '../../src/core/step.js';
import type { Backoff } from '../../src/core/restart-policy.js';
import { newVassal, type Vassal } from '../../src/core/vassal.js';

export const backoff: Backoff = { baseMs: 1000, maxMs: 60_000 };

export function processSpec(over: Partial<ProcessSpec> = {}): ProcessSpec {
  return {
    command: { kind: 'argv', argv: ['node', 'server.js'] },
    cwd: '/srv/app',
    env: {},
    protocol: 'plain',
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 10_000,
    ready: { kind: 'notify' },
    readyTimeoutMs: 60_000,
    log: undefined,
    heartbeatTimeoutMs: undefined,
    ...over,
  };
}

export function vassalSpec(over: Partial<VassalSpec> = {}): VassalSpec {
  return {
    name: 'web',
    file: '/vassals/web.yml',
    format: 'yaml',
    flavour: 'native',
    process: processSpec(),
    standin: undefined,
    sockets: [],
    reload: 'stop-start',
    contentHash: 'h1',
    warnings: [],
    ...over,
  };
}

/** Drives one vassal through events; `now` only moves when the test says so. */
export class Driver {
  v: Vassal;
  now = 1_000_000;
  effects: Effect[] = [];
  wakeAt: number | null = null;
  readonly all: Effect[] = [];

  constructor(name = 'web') {
    this.v = newVassal(name, `/vassals/${name}.yml`);
  }

  send(e: VassalEvent): Effect[] {
    const r = step(this.v, e, this.now, backoff);
    this.v = r.vassal;
    this.effects = [...r.effects];
    this.all.push(...r.effects);
    this.wakeAt = r.wakeAt;
    return this.effects;
  }

  #nextCommand = 1;

  /** An operator's command, with a fresh id. */
  command(action: VassalAction): Effect[] {
    return this.send({ type: 'command', id: this.#nextCommand++, action });
  }

  /** The answers and outcomes of commands in the last step. */
  answers(): Extract<Effect, { type: 'answer' }>['answer'][] {
    return this.effects.flatMap((e) => (e.type === 'answer' ? [e.answer] : []));
  }

  advance(ms: number): Effect[] {
    this.now += ms;
    return this.send({ type: 'tick' });
  }

  spawns(): Extract<Effect, { type: 'spawn' }>[] {
    return this.effects.filter((e): e is Extract<Effect, { type: 'spawn' }> => e.type === 'spawn');
  }

  kinds(): string[] {
    return this.effects.filter((e) => e.type !== 'emit' && e.type !== 'answer' && e.type !== 'log-to').map((e) => ('generation' in e ? `${e.type}:${e.generation}` : e.type));
  }

  emitted(type: string): string[] {
    return this.effects.flatMap((e) => (e.type === 'emit' && e.event.type === type ? [e.event.message] : []));
  }

  /** Spawn answered, then ready: a healthy instance of `gen` with pid 100+gen. */
  up(gen: number): void {
    this.send({ type: 'spawned', generation: gen, pid: 100 + gen });
    this.send({ type: 'ready', generation: gen });
  }
}
