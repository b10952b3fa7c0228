// Time-driven decisions: stop timeouts, ready timeouts, readiness by delay, missing heartbeats.
import { emit, kill, patchInstance, type Draft } from './draft.js';
import { UWSGI_ACCEPT_GRACE_MS, type Instance } from './instance.js';
import { seconds } from './words.js';

// Acts on every deadline that has passed at d.now.
export function applyDeadlines(d: Draft): void {
  for (const inst of d.v.instances) {
    if (inst.phase === 'stopping') {
      if (!inst.killed && inst.pid !== null && inst.killAt !== null && inst.killAt <= d.now) {
        patchInstance(d, inst.generation, { killed: true });
        d.effects.push({ type: 'kill', generation: inst.generation });
        emit(d, {
          type: 'killing',
          message: `generation ${inst.generation} did not stop within its stop-timeout: SIGKILL to its process group`,
          generation: inst.generation,
          pid: inst.pid,
          role: inst.role,
        });
      }
      continue;
    }
    if (inst.phase === 'starting' && inst.process.ready.kind === 'delay' && inst.spawnedAt + inst.process.ready.ms <= d.now) {
      readyByDeadline(d, inst, `ready (survived ${seconds(inst.process.ready.ms)})`);
      continue;
    }
    if (inst.phase === 'starting' && inst.loadedAt !== null && inst.loadedAt + UWSGI_ACCEPT_GRACE_MS <= d.now) {
      readyByDeadline(d, inst, `loaded and has no worker accepting after ${seconds(UWSGI_ACCEPT_GRACE_MS)} (a router or zerg pool): ready`);
      continue;
    }
    if ((inst.phase === 'starting' || inst.phase === 'reloading') && inst.readyDeadline !== null && inst.readyDeadline <= d.now) {
      kill(d, inst, `not ready within its ready-timeout (${seconds(inst.process.readyTimeoutMs)})`, true);
      continue;
    }
    if (inst.heartbeatDeadline !== null && inst.heartbeatDeadline <= d.now && inst.pid !== null) {
      kill(d, inst, `no heartbeat for ${seconds(inst.process.heartbeatTimeoutMs ?? 0)}: hung`, true);
    }
  }
}

function readyByDeadline(d: Draft, inst: Instance, what: string): void {
  patchInstance(d, inst.generation, { phase: 'ready', readyAt: d.now, readyDeadline: null });
  emit(d, {
    type: 'ready',
    message: `generation ${inst.generation} ${what}`,
    generation: inst.generation,
    ...(inst.pid === null ? {} : { pid: inst.pid }),
    role: inst.role,
    durationMs: d.now - inst.spawnedAt,
  });
}

// The earliest time at which applyDeadlines (or a throttled spawn) has something to do.
export function nextWake(instances: readonly Instance[], others: readonly (number | null)[], now: number): number | null {
  let at: number | null = null;
  // Anything due at or before `now` was handled by this very step.
  const consider = (t: number | null): void => {
    if (t !== null && t > now && (at === null || t < at)) at = t;
  };
  for (const t of others) consider(t);
  for (const i of instances) {
    if (i.phase === 'stopping') {
      if (!i.killed) consider(i.killAt);
      continue;
    }
    if (i.phase === 'starting' && i.process.ready.kind === 'delay') consider(i.spawnedAt + i.process.ready.ms);
    if (i.phase === 'starting' || i.phase === 'reloading') consider(i.readyDeadline);
    if (i.phase === 'starting' && i.loadedAt !== null) consider(i.loadedAt + UWSGI_ACCEPT_GRACE_MS);
    consider(i.heartbeatDeadline);
  }
  return at;
}
