// A small accumulator used inside one step: the vassal being rewritten and the effects asked
// for so far. Step functions stay pure: they copy records, never mutate the input.
import type { ProcessSpec } from './spec.js';
import type { Effect } from './effects.js';
import { newInstance, type Instance } from './instance.js';
import { levelOf } from './event-level.js';
import type { LifecycleEventBody } from './lifecycle-event.js';
import type { InstanceRole } from './status.js';
import type { Vassal } from './vassal.js';

export interface Draft {
  v: Vassal;
  readonly effects: Effect[];
  readonly now: number;
}

// Replaces fields of the vassal.
export function patch(d: Draft, fields: Partial<Vassal>): void {
  d.v = { ...d.v, ...fields };
}

// Rewrites one instance in place (by generation).
export function patchInstance(d: Draft, generation: number, fields: Partial<Instance>): void {
  patch(d, { instances: d.v.instances.map((i) => (i.generation === generation ? { ...i, ...fields } : i)) });
}

export function findInstance(d: Draft, generation: number | null): Instance | undefined {
  return generation === null ? undefined : d.v.instances.find((i) => i.generation === generation);
}

// Records a lifecycle event for logs and the event stream.
export function emit(d: Draft, event: LifecycleEventBody & { readonly message: string }): void {
  d.effects.push({ type: 'emit', event: { at: d.now, vassal: d.v.name, level: levelOf(event), ...event } });
}

// Asks for a new instance and returns its generation. A held one waits for `letGo` before it loads its app.
export function spawn(d: Draft, role: InstanceRole, process: ProcessSpec, held = false): number {
  const generation = d.v.nextGeneration;
  const inst = newInstance(generation, role, d.v.rev, process, d.now, held);
  patch(d, { nextGeneration: generation + 1, instances: [...d.v.instances, inst] });
  d.effects.push({ type: 'spawn', generation, role, process, ...(held ? { held: true as const } : {}) });
  const what = held ? 'warm stand-in' : role === 'main' ? 'instance' : 'stand-in';
  emit(d, { type: 'spawning', message: `spawning ${what} generation ${generation}`, generation, role });
  return generation;
}

// Lets a held instance go on to load its app; from now on it must become ready in time.
export function letGo(d: Draft, inst: Instance): void {
  // Still 'spawning': the spawned event, seeing it no longer held, makes it 'starting'.
  const immediate = inst.phase === 'warm' && inst.process.ready.kind === 'spawn';
  const phase = inst.phase !== 'warm' ? inst.phase : immediate ? 'ready' : 'starting';
  patchInstance(d, inst.generation, { held: false, phase, spawnedAt: d.now, readyAt: immediate ? d.now : null, readyDeadline: immediate ? null : d.now + inst.process.readyTimeoutMs });
  d.effects.push({ type: 'go', generation: inst.generation });
}

// Gracefully stops an instance (no-op when it is already stopping); SIGKILL follows after its stop-timeout.
export function stop(d: Draft, inst: Instance, reason: string): void {
  if (inst.phase === 'stopping') return;
  if (inst.pid === null) {
    // Not spawned yet: nothing to signal gracefully; kill as soon as the pid is known.
    patchInstance(d, inst.generation, { phase: 'stopping', killAt: d.now, stopReason: reason });
    return;
  }
  patchInstance(d, inst.generation, { phase: 'stopping', killAt: d.now + inst.process.stopTimeoutMs, stopReason: reason });
  d.effects.push({ type: 'stop', generation: inst.generation });
  emit(d, {
    type: 'stopping',
    message: `stopping ${inst.role === 'main' ? 'instance' : 'stand-in'} generation ${inst.generation} (${reason})`,
    generation: inst.generation,
    pid: inst.pid,
    role: inst.role,
  });
}

// SIGKILLs an instance's group at once (failed start, hung instance).
export function kill(d: Draft, inst: Instance, reason: string, failed: boolean): void {
  patchInstance(d, inst.generation, { phase: 'stopping', killAt: d.now, killed: inst.pid !== null, stopReason: reason, failed });
  if (inst.pid !== null) {
    d.effects.push({ type: 'kill', generation: inst.generation });
    emit(d, { type: 'killing', message: `killing generation ${inst.generation}: ${reason}`, generation: inst.generation, pid: inst.pid, role: inst.role });
  }
}

export function mains(d: Draft): Instance[] {
  return d.v.instances.filter((i) => i.role === 'main');
}

export function standins(d: Draft): Instance[] {
  return d.v.instances.filter((i) => i.role === 'standin');
}
