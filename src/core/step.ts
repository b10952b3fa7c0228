// The core's one entry point: (vassal, event, now) -> (vassal, effects, when to wake up).
// Pure: the clock arrives as `now`, effects are descriptions, nothing is mutated.
import { danceRunning, refusal, settleCommands } from './commands.js';
import { applyDeadlines, nextWake } from './deadlines.js';
import type { Effect } from './effects.js';
import { eventKind, type VassalEvent } from './events.js';
import { emit, type Draft } from './draft.js';
import { claimWake, lapseClaim, syncClaim } from './fleet-claim.js';
import { applyEvent } from './apply-event.js';
import { LIFECYCLE, REACTIONS } from './lifecycle.js';
import { operationKey } from './operation.js';
import { stateOf } from './snapshot.js';
import type { Backoff } from './restart-policy.js';
import { holdsStop, type Vassal } from './vassal.js';
import { warmWake } from './warm-standin.js';

export interface StepResult {
  readonly vassal: Vassal;
  readonly effects: readonly Effect[];
  /** Call step again with a 'tick' at this time (deadlines, throttle); null when nothing is due. */
  readonly wakeAt: number | null;
}

// Handles one event for one vassal: record its facts, then react as the lifecycle table says.
export function step(vassal: Vassal, event: VassalEvent, now: number, backoff: Backoff): StepResult {
  const d: Draft = { v: vassal, effects: [], now };
  const reaction = LIFECYCLE[operationKey(vassal.op)][eventKind(event)];
  if (event.type === 'command') {
    const refused = reaction === 'refuse' ? danceRunning(vassal) : refusal(vassal, event.action);
    d.effects.push({ type: 'answer', answer: refused ? { ...refused, id: event.id } : { kind: 'accepted', id: event.id } });
    if (refused) return finish(d, vassal);
  }
  applyEvent(d, event, backoff);
  applyDeadlines(d);
  lapseClaim(d);
  REACTIONS[reaction](d);
  announceStopOrder(vassal, d);
  syncClaim(d);
  settleCommands(d);
  return finish(d, vassal);
}

// Says once (and again when the list changes) which dependents a stop waits for.
function announceStopOrder(before: Vassal, d: Draft): void {
  if (!holdsStop(d.v)) return;
  const waitFor = d.v.stopAfter;
  if (holdsStop(before) && before.stopAfter.join() === waitFor.join()) return;
  emit(d, { type: 'stop-order', message: `stops once ${waitFor.join(', ')} stopped (after)`, waitFor });
}

function finish(d: Draft, before: Vassal): StepResult {
  const was = stateOf(before, d.now);
  const is = stateOf(d.v, d.now);
  if (is !== was) emit(d, { type: 'state', message: `${was} -> ${is}`, state: is, from: was });
  const throttleUntil = d.v.instances.some((i) => i.role === 'main') || d.v.halted ? null : d.v.throttle.nextStartAt;
  const deadlines = d.v.commands.map((c) => c.deadline);
  return { vassal: d.v, effects: d.effects, wakeAt: nextWake(d.v.instances, [throttleUntil, claimWake(d.v), warmWake(d.v), ...deadlines], d.now) };
}
