// The restart dance for vassals with singleton workers:
//   stand-in B starts -> B ready -> original A stops (group gone) -> A' starts -> A' ready -> B stops.
// At every moment from B ready on, B or A serves; A and A' never overlap.
import { emit, findInstance, letGo, mains, patch, spawn, standins, stop, type Draft } from './draft.js';
import { takeWarm } from './warm-standin.js';
import { NO_OPERATION } from './operation.js';
import { isLive } from './instance.js';
import { describeExit } from './reload-ops.js';
import { mayStart } from './restart-policy.js';
import type { DanceStep, Operation } from './operation.js';
import { DANCE_STEP_WORDS, seconds } from './words.js';

type DanceOp = Extract<Operation, { kind: 'dance' }>;


// Begins a dance; every dance command waiting for one is answered by it.
export function beginDance(d: Draft): void {
  patch(d, {
    op: { kind: 'dance', step: 'standin-starting', standinGen: null, startedAt: d.now, stepStartedAt: d.now, mainFailures: 0 },
    commands: d.v.commands.map((c) => (c.action === 'dance' && !c.begun ? { ...c, begun: true } : c)),
  });
  emit(d, { type: 'dance', message: 'restart dance requested' });
}

// Moves the dance forward as far as the facts allow.
export function advanceDance(d: Draft, op: DanceOp): void {
  const spec = d.v.spec;
  if (!spec || !spec.standin) {
    patch(d, { op: NO_OPERATION });
    emit(d, { type: 'dance-failed', message: 'dance failed: the vassal has no stand-in', step: op.step, durationMs: d.now - op.startedAt });
    return;
  }
  let cur: DanceOp = op;
  const enter = (step: DanceStep, message: string): void => {
    emit(d, { type: 'dance-step', message, step: cur.step, durationMs: d.now - cur.stepStartedAt });
    cur = { ...cur, step, stepStartedAt: d.now };
    patch(d, { op: cur });
  };

  if (cur.step === 'standin-starting') {
    if (cur.standinGen === null) {
      const warm = takeWarm(d, spec.standin);
      if (warm) letGo(d, warm);
      const gen = warm ? warm.generation : spawn(d, 'standin', spec.standin);
      cur = { ...cur, standinGen: gen };
      patch(d, { op: cur });
      const message = warm ? `${DANCE_STEP_WORDS['standin-starting']}: the warm one, held for ${seconds(d.now - warm.spawnedAt)}, is let go` : DANCE_STEP_WORDS['standin-starting'];
      emit(d, { type: 'dance-step', message, step: 'standin-starting', durationMs: 0, generation: gen });
      return;
    }
    const b = findInstance(d, cur.standinGen);
    if (!b || b.phase === 'stopping') {
      const reason = b?.stopReason ?? describeExit(d, cur.standinGen);
      if (b) stop(d, b, 'dance failed');
      patch(d, { op: NO_OPERATION });
      emit(d, {
        type: 'dance-failed',
        message: `dance failed at step "stand-in ready": stand-in ${reason}; the original keeps serving`,
        step: 'standin-starting',
        durationMs: d.now - cur.startedAt,
      });
      return;
    }
    if (b.phase !== 'ready') return;
    enter('main-stopping', `stand-in ready in ${seconds(d.now - cur.stepStartedAt)}`);
  }

  if (cur.step === 'main-stopping') {
    const old = mains(d);
    for (const a of old) stop(d, a, 'restart dance: the stand-in serves meanwhile');
    if (old.length > 0) return;
    enter('main-starting', `old instance stopped in ${seconds(d.now - cur.stepStartedAt)}: job handling paused`);
  }

  if (cur.step === 'main-starting') {
    const live = mains(d).filter(isLive);
    if (live.length === 0) {
      if (d.v.halted !== null) {
        // The restart policy gave up on A': the stand-in keeps serving until an operator acts.
        patch(d, { op: NO_OPERATION });
        emit(d, { type: 'dance-failed', message: `dance failed at step "new instance ready": the restart policy gave up (${d.v.halted}); the stand-in keeps serving`, step: 'main-starting', durationMs: d.now - cur.startedAt });
        return;
      }
      if (mains(d).length > 0 || !mayStart(d.v.throttle, d.now)) return; // a failed A' is still dying, or throttled
      spawn(d, 'main', spec.process);
      return;
    }
    if (!live.some((i) => i.phase === 'ready')) return;
    enter('standin-stopping', `new instance ready in ${seconds(d.now - cur.stepStartedAt)}: job handling resumed`);
  }

  if (cur.step === 'standin-stopping') {
    const bs = standins(d);
    for (const b of bs) stop(d, b, 'restart dance done');
    if (bs.length > 0) return;
    emit(d, { type: 'dance-step', message: `stand-in stopped in ${seconds(d.now - cur.stepStartedAt)}`, step: 'standin-stopping', durationMs: d.now - cur.stepStartedAt });
    patch(d, { op: NO_OPERATION });
    emit(d, { type: 'dance-done', message: `restart dance done in ${seconds(d.now - cur.startedAt)}`, durationMs: d.now - cur.startedAt });
  }
}
