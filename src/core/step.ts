// The core's one entry point: (vassal, event, now) -> (vassal, effects, when to wake up).
// Pure: the clock arrives as `now`, effects are descriptions, nothing is mutated.
import { applyDeadlines, nextWake } from './deadlines.js';
import type { Effect } from './effects.js';
import type { VassalEvent } from './events.js';
import { emit, type Draft } from './draft.js';
import { applyEvent } from './apply-event.js';
import { reconcile } from './reconcile.js';
import { stateOf } from './snapshot.js';
import type { ThrottlePolicy } from './throttle.js';
import type { Vassal } from './vassal.js';

export interface StepResult {
  readonly vassal: Vassal;
  readonly effects: readonly Effect[];
  /** Call step again with a 'tick' at this time (deadlines, throttle); null when nothing is due. */
  readonly wakeAt: number | null;
}

// Handles one event for one vassal.
export function step(vassal: Vassal, event: VassalEvent, now: number, policy: ThrottlePolicy): StepResult {
  const d: Draft = { v: vassal, effects: [], now };
  const before = stateOf(vassal, now);
  applyEvent(d, event, policy);
  applyDeadlines(d);
  reconcile(d);
  const after = stateOf(d.v, now);
  if (after !== before) emit(d, 'state', `${before} -> ${after}`, { state: after });
  const throttleUntil = d.v.instances.some((i) => i.role === 'main') ? null : d.v.throttle.nextStartAt;
  return { vassal: d.v, effects: d.effects, wakeAt: nextWake(d.v.instances, throttleUntil, now) };
}
