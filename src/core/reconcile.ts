// Compare what should run with what runs, and ask for the difference. Level-triggered: it reads
// only the facts, so running it again after any event is always safe.
import { advanceDance, beginDance } from './dance.js';
import { emit, kill, mains, patch, patchInstance, spawn, standins, stop, type Draft } from './draft.js';
import { fleetAllowsRunning } from './fleet-claim.js';
import { isLive } from './instance.js';
import { NO_OPERATION } from './operation.js';
import { advanceInPlace, advanceOverlap, advanceStopStart, beginReload } from './reload-ops.js';
import { mayStart } from './restart-policy.js';
import { holdsStop, socketsKey, waitingFor, wantsUp } from './vassal.js';
import { keepWarm } from './warm-standin.js';
import { DANCE_STEP_WORDS } from './words.js';

// Moves the operation under way forward, or (with none) starts what should run.
export function reconcile(d: Draft): void {
  if (!wantsUp(d.v)) {
    windDown(d);
    return;
  }
  if (!fleetAllowsRunning(d.v, d.now)) {
    fence(d);
    return;
  }
  const spec = d.v.spec;
  // Nothing valid to run, or the latest file cannot run: keep what runs (it loses nothing), start nothing.
  if (!spec || d.v.error !== null) {
    abandonOperation(d, 'the vassal file became invalid');
    return;
  }
  if (!socketsReady(d)) return;

  const op = d.v.op;
  if (op.kind === 'dance') advanceDance(d, op);
  else if (op.kind === 'overlap') advanceOverlap(d, op);
  else if (op.kind === 'stop-start') advanceStopStart(d, op);
  else if (op.kind === 'in-place') advanceInPlace(d, op);
  if (d.v.op.kind !== 'none') return;

  const live = mains(d).filter(isLive);
  // Leftover stand-ins (a dance ended early) go as soon as an original serves again; a warm one stays.
  if (live.some((i) => i.phase === 'ready')) for (const b of standins(d).filter((i) => !i.held)) stop(d, b, 'an original instance serves again');

  if (live.length === 0) {
    if (mains(d).length > 0 || d.v.halted !== null || !mayStart(d.v.throttle, d.now)) return;
    // Start order (`after`): no original before the vassals it needs are ready; what runs keeps running.
    if (waitingFor(d.v).length > 0) return;
    if (d.v.throttle.nextStartAt !== null) patch(d, { throttle: { ...d.v.throttle, nextStartAt: null } });
    spawn(d, 'main', spec.process);
    return;
  }
  // A dance asked for while another operation ran begins once it is over.
  if (d.v.commands.some((c) => c.action === 'dance' && !c.begun)) {
    beginDance(d);
    reconcile(d);
    return;
  }
  const outdated = live.some((i) => i.rev < d.v.rev);
  if (outdated && d.v.failedRev !== d.v.rev) {
    beginReload(d);
    reconcile(d);
    return;
  }
  keepWarm(d);
}

const STOP_REASONS = {
  operator: 'stop requested',
  instance: 'the instance asked to be stopped',
  'file-removed': 'vassal file removed',
  shutdown: 'emperor shutting down',
} as const;

// Stops everything; forgets the vassal once its last instance is gone if its file was removed.
// Stop order: what runs keeps running until the dependents stopping with it are gone.
export function windDown(d: Draft): void {
  const wish = d.v.wish;
  if (wish.want === 'up') return;
  const reason = STOP_REASONS[wish.by];
  abandonOperation(d, wish.want === 'gone' && wish.by === 'file-removed' ? 'the vassal file was removed' : 'the vassal is being stopped');
  if (holdsStop(d.v)) return;
  for (const i of d.v.instances) {
    if (i.phase === 'spawning') kill(d, i, reason, false);
    else stop(d, i, reason);
  }
  if (d.v.instances.length === 0 && wish.want === 'gone' && wish.by === 'file-removed') d.effects.push({ type: 'forget' });
}

// Without the claim, nothing of a fleet singleton may run: the operation ends and every
// instance is stopped, SIGKILLed at the latest by the claim's deadline (the guard process
// kills it then too, should this emperor be unable to).
function fence(d: Draft): void {
  const claim = d.v.claim;
  const killBy = claim.status === 'waiting' ? claim.killBy : null;
  abandonOperation(d, 'the fleet claim was lost');
  for (const i of d.v.instances) {
    if (i.phase === 'spawning' || (killBy !== null && killBy <= d.now)) {
      if (!i.killed) kill(d, i, 'fleet claim lost', false);
      continue;
    }
    stop(d, i, 'fleet claim lost');
    const after = d.v.instances.find((x) => x.generation === i.generation);
    if (killBy !== null && after && !after.killed && (after.killAt === null || after.killAt > killBy)) patchInstance(d, i.generation, { killAt: killBy });
  }
}

// Ends the operation where it stands; whatever runs keeps running.
function abandonOperation(d: Draft, why: string): void {
  const op = d.v.op;
  if (op.kind === 'dance') {
    emit(d, { type: 'dance-failed', message: `dance aborted at step "${DANCE_STEP_WORDS[op.step]}": ${why}`, step: op.step, durationMs: d.now - op.startedAt });
  }
  if (op.kind !== 'none') patch(d, { op: NO_OPERATION });
}

// Makes sure the sockets of the current spec are held before anything is spawned.
function socketsReady(d: Draft): boolean {
  const spec = d.v.spec;
  if (!spec) return true;
  if (spec.sockets.length === 0) {
    if (d.v.sockets.status !== 'none') {
      patch(d, { sockets: { status: 'none' } });
      d.effects.push({ type: 'hold-sockets', key: '[]', sockets: [] });
    }
    return true;
  }
  const key = socketsKey(spec);
  const hold = d.v.sockets;
  if (hold.status === 'held' && hold.key === key) return true;
  if (hold.status === 'pending' && hold.key === key) return false;
  if (hold.status === 'failed' && hold.key === key) return false;
  patch(d, { sockets: { status: 'pending', key } });
  d.effects.push({ type: 'hold-sockets', key, sockets: spec.sockets });
  return false;
}
