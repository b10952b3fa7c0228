// Second half of a step: compare what should run with what runs, and ask for the difference.
import { advanceDance } from './dance.js';
import { emit, kill, mains, patch, spawn, standins, stop, type Draft } from './draft.js';
import { isLive } from './instance.js';
import { advanceInPlace, advanceOverlap, advanceStopStart, beginReload } from './reload-ops.js';
import { mayStart } from './throttle.js';
import { socketsKey } from './vassal.js';

// Decides the effects that bring the vassal's instances in line with its wish.
export function reconcile(d: Draft): void {
  if (d.v.removed || d.v.want === 'down' || d.v.shuttingDown) {
    winddown(d);
    return;
  }
  const spec = d.v.spec;
  // Nothing valid to run, or the latest file cannot run: keep what runs (it loses nothing), start nothing.
  if (!spec || d.v.error !== null) {
    if (d.v.op.kind === 'dance') abortDance(d, 'the vassal file became invalid');
    if (d.v.op.kind !== 'none') patch(d, { op: { kind: 'none' } });
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
  // Leftover stand-ins (a dance ended early) go as soon as an original serves again.
  if (live.some((i) => i.phase === 'ready')) for (const b of standins(d)) stop(d, b, 'an original instance serves again');

  if (live.length === 0) {
    patch(d, { danceRequested: false });
    if (mains(d).length > 0 || !mayStart(d.v.throttle, d.now)) return;
    if (d.v.throttle.nextStartAt !== null) patch(d, { throttle: { ...d.v.throttle, nextStartAt: null } });
    spawn(d, 'main', spec.process);
    return;
  }
  if (d.v.danceRequested) {
    patch(d, { danceRequested: false, op: { kind: 'dance', step: 'standin-starting', standinGen: null, startedAt: d.now, stepStartedAt: d.now, mainFailures: 0 } });
    emit(d, 'dance', 'restart dance requested');
    reconcile(d);
    return;
  }
  const outdated = live.some((i) => i.rev < d.v.rev);
  if (outdated && d.v.failedRev !== d.v.rev) {
    beginReload(d);
    reconcile(d);
  }
}

// Stops everything; forgets the vassal once its last instance is gone if its file was removed.
function winddown(d: Draft): void {
  if (d.v.op.kind === 'dance') abortDance(d, d.v.removed ? 'the vassal file was removed' : 'the vassal is being stopped');
  if (d.v.op.kind !== 'none') patch(d, { op: { kind: 'none' } });
  patch(d, { danceRequested: false });
  const reason = d.v.removed ? 'vassal file removed' : d.v.shuttingDown ? 'emperor shutting down' : 'stop requested';
  for (const i of d.v.instances) {
    if (i.phase === 'spawning') kill(d, i, reason, false);
    else stop(d, i, reason);
  }
  if (d.v.instances.length === 0 && d.v.removed) d.effects.push({ type: 'forget' });
}

function abortDance(d: Draft, why: string): void {
  const op = d.v.op;
  if (op.kind !== 'dance') return;
  emit(d, 'dance-failed', `dance aborted at step "${op.step}": ${why}`, { step: op.step, durationMs: d.now - op.startedAt });
  patch(d, { op: { kind: 'none' } });
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
