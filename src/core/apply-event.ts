// First half of a step: record what the event says happened, and the wish it expresses.
// Decisions come after, from the lifecycle table.
import { assertNever } from './assert-never.js';
import { commandDeadline } from './commands.js';
import type { VassalEvent } from './events.js';
import { emit, findInstance, patch, patchInstance, type Draft } from './draft.js';
import type { Instance } from './instance.js';
import { exitWords } from './exit-words.js';
import { applyFleetEvent } from './fleet-claim.js';
import { logSettingsOf, onlyLogSettingsDiffer } from './log-settings.js';
import { afterDeath, NO_HISTORY, type Backoff, type Death } from './restart-policy.js';
import { restartPolicyOf, socketsKey, type Wish } from './vassal.js';
import { seconds } from './words.js';

// A warm stand-in that dies while held is started again after this long, not in a loop.
export const WARM_RETRY_MS = 10_000;

// The bytes of uWSGI's emperor protocol that the emperor acts on; others are ignored.
const UWSGI = { LOADED: 1, ACCEPTING: 5, LOYAL: 17, STOP_ME: 22, HEARTBEAT: 26 } as const;

// Updates the vassal's facts from one event.
export function applyEvent(d: Draft, e: VassalEvent, backoff: Backoff): void {
  switch (e.type) {
    case 'file-loaded': {
      const prev = d.v.spec;
      const socketsChanged = prev !== null && socketsKey(prev) !== socketsKey(e.spec);
      // Only the log files changed: the runtime switches files, the instances keep running.
      const logsOnly = prev !== null && d.v.errorKind !== 'spawn' && d.v.errorKind !== 'sockets' && onlyLogSettingsDiffer(prev, e.spec);
      patch(d, {
        spec: e.spec,
        file: e.spec.file,
        rev: logsOnly ? d.v.rev : d.v.rev + 1,
        error: null,
        errorKind: null,
        wish: prev === null && e.stoppedByOperator === true ? { want: 'down', by: 'operator' } : wishAfterLoad(d.v.wish, prev !== null && prev.contentHash !== e.spec.contentHash),
        // A changed or touched file wins over the backoff and over a halt.
        throttle: NO_HISTORY,
        halted: null,
        sockets: socketsChanged || d.v.sockets.status === 'failed' ? { status: 'none' } : d.v.sockets,
      });
      d.effects.push({ type: 'log-to', log: logSettingsOf(e.spec) });
      if (prev === null && e.stoppedByOperator === true) emit(d, { type: 'loaded', message: `vassal file ${e.spec.file} loaded; kept stopped: the operator stopped it before the emperor restarted (\`emperor start ${d.v.name}\` or a change of the file starts it)` });
      else if (prev === null) emit(d, { type: 'loaded', message: `vassal file ${e.spec.file} loaded` });
      else if (logsOnly) emit(d, { type: 'changed', message: `vassal file ${e.spec.file} changed its log settings only: applied without a restart` });
      else emit(d, { type: 'changed', message: `vassal file ${e.spec.file} changed or touched` });
      return;
    }
    case 'file-invalid':
      patch(d, { error: e.error, errorKind: 'config', file: e.file });
      emit(d, { type: 'broken', message: e.error });
      return;
    case 'file-removed':
      patch(d, { wish: { want: 'gone', by: 'file-removed' } });
      emit(d, { type: 'removed', message: `vassal file ${d.v.file} removed` });
      return;
    case 'sockets-held':
      if (d.v.sockets.status === 'pending' && d.v.sockets.key === e.key) {
        patch(d, { sockets: { status: 'held', key: e.key, addresses: e.addresses } });
        emit(d, { type: 'sockets', message: `holding ${e.addresses.map((a) => `${a.name}=${a.address}`).join(', ')}` });
      }
      return;
    case 'sockets-failed':
      if (d.v.sockets.status === 'pending' && d.v.sockets.key === e.key) {
        patch(d, { sockets: { status: 'failed', key: e.key, error: e.error, transient: e.transient === true }, error: e.error, errorKind: 'sockets' });
        emit(d, { type: 'broken', message: e.error });
      }
      return;
    case 'spawned': {
      const inst = findInstance(d, e.generation);
      if (!inst) return;
      const immediate = inst.process.ready.kind === 'spawn' && !inst.held;
      patch(d, { waiting: null });
      patchInstance(d, e.generation, {
        pid: e.pid,
        phase: inst.phase === 'stopping' ? 'stopping' : inst.held ? 'warm' : immediate ? 'ready' : 'starting',
        readyAt: immediate ? d.now : null,
        heartbeatDeadline: inst.process.heartbeatTimeoutMs === undefined ? null : d.now + inst.process.heartbeatTimeoutMs,
      });
      emit(d, { type: 'spawned', message: `spawned generation ${e.generation} (pid ${e.pid})`, generation: e.generation, pid: e.pid, role: inst.role });
      if (immediate && inst.phase !== 'stopping') emit(d, { type: 'ready', message: `generation ${e.generation} ready`, generation: e.generation, pid: e.pid, role: inst.role });
      return;
    }
    case 'spawn-failed': {
      const inst = findInstance(d, e.generation);
      if (!inst) return;
      patch(d, { instances: d.v.instances.filter((i) => i.generation !== e.generation) });
      if (e.notFound) {
        patch(d, { error: e.error, errorKind: 'spawn' });
        emit(d, { type: 'broken', message: e.error, generation: e.generation });
      } else {
        // Out of descriptors, pids or memory: shown as the last exit, so the throttled vassal says why.
        patch(d, { waiting: e.error, lastExit: { generation: e.generation, role: inst.role, code: null, signal: null, at: d.now, expected: false, output: e.error } });
        if (inst.role === 'main') recordDeath(d, { code: null, signal: null, spawnedAt: inst.spawnedAt, readyAt: null }, backoff, 'always');
        emit(d, { type: 'spawn-failed', message: e.error, generation: e.generation });
      }
      return;
    }
    case 'ready':
      markReady(d, e.generation);
      return;
    case 'status-text':
      patchInstance(d, e.generation, { statusText: e.text });
      return;
    case 'uwsgi-byte':
      applyUwsgiByte(d, e.generation, e.byte);
      return;
    case 'exited':
      applyExit(d, e.generation, e.code, e.signal, e.output ?? null, backoff);
      return;
    case 'command':
      applyCommand(d, e);
      return;
    case 'fleet-granted':
    case 'fleet-standby':
      applyFleetEvent(d, e);
      return;
    case 'peers-ready':
      patch(d, { peersReady: e.names });
      return;
    case 'dependents-stopping':
      patch(d, { stopAfter: e.names });
      return;
    case 'shutdown':
      patch(d, { wish: { want: 'gone', by: 'shutdown' } });
      return;
    case 'retry':
      // Sockets that failed for a transient reason are bound again.
      if (d.v.sockets.status === 'failed' && d.v.sockets.transient) patch(d, { sockets: { status: 'none' }, error: null, errorKind: null });
      // What it waited for is back: the next attempt need not wait out its backoff.
      if (d.v.waiting !== null && d.v.throttle.nextStartAt !== null) patch(d, { throttle: { ...d.v.throttle, nextStartAt: d.now } });
      return;
    case 'tick':
      return;
    default:
      assertNever(e);
  }
}

// A touch keeps an operator's stop; a changed file, or a file back after its removal, wants up.
function wishAfterLoad(wish: Wish, contentChanged: boolean): Wish {
  if (wish.want === 'gone') return wish.by === 'file-removed' ? { want: 'up' } : wish;
  if (wish.want === 'down' && contentChanged) return { want: 'up' };
  return wish;
}

// Records an accepted command: its wish, and the pending outcome.
function applyCommand(d: Draft, e: Extract<VassalEvent, { type: 'command' }>): void {
  switch (e.action) {
    case 'stop':
      patch(d, { wish: { want: 'down', by: 'operator' } });
      break;
    case 'start': {
      const retry = d.v.errorKind === 'spawn' || d.v.errorKind === 'sockets';
      patch(d, { wish: { want: 'up' }, throttle: NO_HISTORY, halted: null, ...(retry ? { error: null, errorKind: null, sockets: { status: 'none' } } : {}) });
      break;
    }
    case 'reload':
      patch(d, { rev: d.v.rev + 1, wish: { want: 'up' } });
      break;
    case 'dance':
      break;
    default:
      assertNever(e.action);
  }
  const pending = { id: e.id, action: e.action, rev: d.v.rev, acceptedAt: d.now, deadline: commandDeadline(d.v, d.now), begun: false };
  patch(d, { commands: [...d.v.commands, pending] });
  emit(d, { type: 'command', message: `${e.action} requested` });
}

function markReady(d: Draft, generation: number): void {
  const inst = findInstance(d, generation);
  if (!inst || (inst.phase !== 'starting' && inst.phase !== 'reloading')) return;
  patchInstance(d, generation, { phase: 'ready', readyAt: d.now, readyDeadline: null });
  const what = inst.phase === 'reloading' ? 'reloaded in place and ready again' : `ready after ${seconds(d.now - inst.spawnedAt)}`;
  emit(d, {
    type: 'ready',
    message: `generation ${generation} ${what}`,
    generation,
    ...(inst.pid === null ? {} : { pid: inst.pid }),
    role: inst.role,
    durationMs: d.now - inst.spawnedAt,
  });
}

function applyUwsgiByte(d: Draft, generation: number, byte: number): void {
  const inst = findInstance(d, generation);
  if (!inst || !inst.uwsgi) return;
  const flags = inst.uwsgi;
  if (byte === UWSGI.LOADED) patchInstance(d, generation, { uwsgi: { ...flags, loaded: true }, loadedAt: d.now });
  else if (byte === UWSGI.LOYAL) patchInstance(d, generation, { uwsgi: { ...flags, loyal: true } });
  else if (byte === UWSGI.HEARTBEAT) {
    const timeout = inst.process.heartbeatTimeoutMs;
    patchInstance(d, generation, { uwsgi: { ...flags, lastHeartbeatAt: d.now }, heartbeatDeadline: timeout === undefined ? null : d.now + timeout });
  } else if (byte === UWSGI.ACCEPTING) {
    patchInstance(d, generation, { uwsgi: { ...flags, accepting: true } });
    markReady(d, generation);
  } else if (byte === UWSGI.STOP_ME) {
    patch(d, { wish: { want: 'down', by: 'instance' } });
    emit(d, { type: 'command', message: `generation ${generation} asked to be stopped (uWSGI byte 22)`, generation });
  }
  // 2 (config request) and 30 (broodlord SOS) are not supported.
}

function applyExit(d: Draft, generation: number, code: number | null, signal: string | null, output: string | null, backoff: Backoff): void {
  const inst = findInstance(d, generation);
  if (!inst) return;
  const expected = inst.phase === 'stopping' && !inst.failed;
  patch(d, {
    instances: d.v.instances.filter((i) => i.generation !== generation),
    lastExit: { generation, role: inst.role, code, signal, at: d.now, expected, output },
  });
  emit(d, {
    type: 'exited',
    message: exitMessage(inst, code, signal, expected, output),
    generation,
    ...(inst.pid === null ? {} : { pid: inst.pid }),
    role: inst.role,
    expected,
    code,
    signal,
  });
  if (!expected && inst.held) patch(d, { warmRetryAt: d.now + WARM_RETRY_MS });
  if (expected || inst.role !== 'main') return;
  patch(d, { restarts: d.v.restarts + 1 });
  // Inside a dance before the new original starts, the old one's exit is the dance's own step
  // (the gist's hooks stop it): it is respawned at once, not throttled.
  const op = d.v.op;
  const danceStep = op.kind === 'dance' && (op.step === 'standin-starting' || op.step === 'main-stopping');
  if (danceStep) patch(d, { throttle: NO_HISTORY });
  else recordDeath(d, { code, signal, spawnedAt: inst.spawnedAt, readyAt: inst.readyAt }, backoff, restartPolicyOf(d.v).restart);
  if (op.kind === 'dance' && op.step === 'main-starting') patch(d, { op: { ...op, mainFailures: op.mainFailures + 1 } });
}

// An exit the emperor caused (a stop, or a kill for a ready-timeout or a missed heartbeat) says
// so; only an exit nobody asked for is unexpected.
function exitMessage(inst: Instance, code: number | null, signal: string | null, expected: boolean, output: string | null): string {
  const head = `generation ${inst.generation} exited with ${exitWords(code, signal)}`;
  if (expected) return head;
  if (inst.failed && inst.stopReason) return `${head}: killed by the emperor, ${inst.stopReason}`;
  if (inst.held) return `${head} while warm (unexpected)${output ? `: ${output}` : ''}; the next warm stand-in starts in ${seconds(WARM_RETRY_MS)}, a dance meanwhile starts its stand-in cold`;
  return `${head} (unexpected)${output ? `: ${output}` : ''}`;
}

// Applies the restart policy to a death of the original (a failed spawn counts as one that
// is always restarted: it never ran, so it cannot have finished).
function recordDeath(d: Draft, death: Death, backoff: Backoff, mode: ReturnType<typeof restartPolicyOf>['restart']): void {
  const policy = { ...restartPolicyOf(d.v), restart: mode };
  const next = afterDeath(d.v.throttle, death, d.now, policy, backoff);
  if (next.kind === 'respawn') {
    patch(d, { throttle: next.history });
    return;
  }
  if (next.kind === 'exited') {
    patch(d, { halted: 'exited' });
    emit(d, { type: 'finished', message: `not restarted (restart: ${policy.restart}); \`emperor start\`, a change or a touch of the file starts it again` });
    return;
  }
  patch(d, { halted: 'fatal', throttle: next.history });
  emit(d, { type: 'fatal', message: `gave up after ${next.history.count - 1} restart(s) (max-restarts ${policy.maxRestarts}); \`emperor start\`, a change or a touch of the file starts it again` });
}
