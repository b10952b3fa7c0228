// The three single-instance reload strategies: stop-start, overlap (the single zerg dance) and
// uWSGI's in-place graceful reload. Each advances as far as the facts allow and returns.
import { emit, findInstance, mains, patch, patchInstance, spawn, stop, type Draft } from './draft.js';
import { exitWords } from './exit-words.js';
import { NO_OPERATION, type Operation } from './operation.js';
import { seconds } from './words.js';

type Op<K extends Operation['kind']> = Extract<Operation, { kind: K }>;

// Starts the strategy the vassal's spec names for an outdated main instance.
export function beginReload(d: Draft): void {
  const spec = d.v.spec;
  if (!spec) return;
  const strategy = spec.reload;
  emit(d, { type: 'reload', message: `reloading (${strategy}) to revision ${d.v.rev}` });
  if (strategy === 'dance') {
    patch(d, { op: { kind: 'dance', step: 'standin-starting', standinGen: null, startedAt: d.now, stepStartedAt: d.now, mainFailures: 0 } });
  } else if (strategy === 'overlap') {
    patch(d, { op: { kind: 'overlap', step: 'starting-new', newGen: null, startedAt: d.now } });
  } else if (strategy === 'in-place') {
    const main = mains(d).find((i) => i.phase === 'ready' || i.phase === 'starting');
    if (!main || main.pid === null) {
      patch(d, { op: { kind: 'stop-start', startedAt: d.now } });
      return;
    }
    d.effects.push({ type: 'uwsgi-reload', generation: main.generation });
    patchInstance(d, main.generation, { phase: 'reloading', rev: d.v.rev, readyDeadline: d.now + main.process.readyTimeoutMs, readyAt: null });
    patch(d, { op: { kind: 'in-place', generation: main.generation, startedAt: d.now } });
  } else {
    patch(d, { op: { kind: 'stop-start', startedAt: d.now } });
  }
}

// stop-start: once every old main is gone the operation ends and the normal start path spawns.
export function advanceStopStart(d: Draft, op: Op<'stop-start'>): void {
  const old = mains(d);
  for (const i of old) stop(d, i, 'reload');
  if (old.length === 0) {
    patch(d, { op: NO_OPERATION });
    emit(d, { type: 'reload-step', message: 'old instance stopped', durationMs: d.now - op.startedAt });
  }
}

// overlap: new generation first; the old one is stopped only once the new one is ready.
export function advanceOverlap(d: Draft, op: Op<'overlap'>): void {
  const spec = d.v.spec;
  if (!spec) return;
  if (op.step === 'starting-new') {
    if (op.newGen === null) {
      const gen = spawn(d, 'main', spec.process);
      patch(d, { op: { ...op, newGen: gen } });
      return;
    }
    const fresh = findInstance(d, op.newGen);
    if (!fresh || fresh.phase === 'stopping') {
      const reason = fresh?.stopReason ?? describeExit(d, op.newGen);
      patch(d, { op: NO_OPERATION, failedRev: d.v.rev, failedReason: reason });
      emit(d, { type: 'reload-failed', message: `reload failed: new generation ${op.newGen} ${reason}; the old generation keeps serving` });
      return;
    }
    if (fresh.phase !== 'ready') return;
    patch(d, { op: { ...op, step: 'stopping-old' } });
    emit(d, { type: 'reload-step', message: `new generation ${fresh.generation} ready`, durationMs: d.now - op.startedAt });
  }
  const others = mains(d).filter((i) => i.generation !== op.newGen);
  for (const i of others) stop(d, i, 'replaced by a newer generation');
  if (others.length === 0) {
    patch(d, { op: NO_OPERATION });
    emit(d, { type: 'reload-done', message: `reload done in ${seconds(d.now - op.startedAt)}`, durationMs: d.now - op.startedAt });
  }
}

// in-place: the same pid reloads; readiness comes again with the next accepting byte.
export function advanceInPlace(d: Draft, op: Op<'in-place'>): void {
  const inst = findInstance(d, op.generation);
  if (!inst) {
    patch(d, { op: NO_OPERATION });
    return;
  }
  if (inst.phase === 'ready') {
    patch(d, { op: NO_OPERATION });
    emit(d, { type: 'reload-done', message: `reloaded in place in ${((d.now - op.startedAt) / 1000).toFixed(2)}s`, durationMs: d.now - op.startedAt, generation: inst.generation });
  }
}

// Words for how an instance that is no longer listed ended.
export function describeExit(d: Draft, generation: number): string {
  const e = d.v.lastExit;
  if (!e || e.generation !== generation) return 'failed to start';
  return `exited with ${exitWords(e.code, e.signal)} before it was ready`;
}
