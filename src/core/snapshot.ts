// Read-only views of a vassal: its state name and the status shown by the API and the CLI.
import { exitWords } from './exit-words.js';
import { isFleetSingleton, fleetAllowsRunning } from './fleet-claim.js';
import { isLive, type Instance } from './instance.js';
import type { InstanceStatus, VassalStateName, VassalStatus } from './status.js';
import { holdsStop, waitingFor, type Vassal } from './vassal.js';
import { DANCE_STEP_WORDS, seconds } from './words.js';

// The one state name an operator sees for the vassal.
export function stateOf(v: Vassal, now: number): VassalStateName {
  const mains = v.instances.filter((i) => i.role === 'main');
  if (v.wish.want !== 'up') return v.instances.length > 0 ? 'stopping' : 'stopped';
  if (v.error !== null) return 'broken';
  if (!fleetAllowsRunning(v, now)) return v.instances.length > 0 ? 'stopping' : 'standby';
  if (v.op.kind === 'dance') return v.op.mainFailures > 0 && v.op.step === 'main-starting' ? 'degraded' : 'dancing';
  if (v.op.kind !== 'none') return 'reloading';
  const live = mains.filter(isLive);
  if (live.some((i) => i.phase === 'ready')) return 'running';
  if (live.length > 0) return 'starting';
  if (v.halted !== null && mains.length === 0) return v.halted;
  if (v.throttle.nextStartAt !== null && v.throttle.nextStartAt > now) return 'throttled';
  if (v.spec === null) return 'starting';
  if (mains.length === 0 && waitingFor(v).length > 0) return 'waiting';
  return mains.length > 0 ? 'stopping' : 'starting';
}

// The serving instance: a ready original, else a ready stand-in, else any live one.
export function servingInstance(v: Vassal): Instance | undefined {
  const live = v.instances.filter(isLive);
  return (
    live.find((i) => i.role === 'main' && i.phase === 'ready') ??
    live.find((i) => i.phase === 'ready') ??
    live.find((i) => i.role === 'main') ??
    live[0] ??
    v.instances[0]
  );
}

// The status record of the API and `emperor status`.
export function toStatus(v: Vassal, now: number): VassalStatus {
  const state = stateOf(v, now);
  const serving = servingInstance(v);
  const readySince = serving?.readyAt ?? serving?.spawnedAt ?? null;
  return {
    name: v.name,
    file: v.file,
    state,
    pid: serving?.pid ?? null,
    generation: serving?.generation ?? v.nextGeneration - 1,
    restarts: v.restarts,
    uptime: serving && serving.pid !== null && readySince !== null ? Math.max(0, (now - serving.spawnedAt) / 1000) : null,
    lastExit: v.lastExit,
    error: capNullable(v.error ?? (state === 'throttled' && v.waiting !== null ? v.waiting : failedStartError(v, state))),
    nextStartAt: state === 'throttled' ? v.throttle.nextStartAt : null,
    throttleDelayMs: v.throttle.delayMs,
    reload: v.spec?.reload ?? null,
    want: v.wish.want,
    sockets: v.sockets.status === 'held' ? v.sockets.addresses : [],
    instances: v.instances.map(instanceStatus),
    dance: v.op.kind === 'dance' ? { step: v.op.step, startedAt: v.op.startedAt } : null,
    note: capText(noteOf(v, state, now)),
    warnings: capWarnings(v.spec?.warnings ?? []),
    after: v.spec?.after ?? [],
    fleet: isFleetSingleton(v) ? { claim: v.claim.status, holder: v.claim.status === 'waiting' ? v.claim.holder : null } : null,
  };
}

function instanceStatus(i: Instance): InstanceStatus {
  return {
    generation: i.generation,
    role: i.role,
    pid: i.pid,
    state: i.phase,
    startedAt: i.spawnedAt,
    readyAt: i.readyAt,
    statusText: i.statusText,
    uwsgi: i.uwsgi,
  };
}

function noteOf(v: Vassal, state: VassalStateName, now: number): string {
  switch (state) {
    case 'broken': {
      const serving = v.instances.find(isLive);
      return serving ? `${v.error} (still running generation ${serving.generation} from the last valid file)` : (v.error ?? '');
    }
    case 'throttled':
      if (v.waiting !== null) return `${v.waiting}; next attempt in ${seconds((v.throttle.nextStartAt ?? now) - now)}`;
      return `died ${v.restarts} time(s), last with ${lastExitWords(v)}; next attempt in ${seconds((v.throttle.nextStartAt ?? now) - now)}`;
    case 'fatal':
      return `gave up after ${v.restarts} death(s), last with ${lastExitWords(v)}; start it, or change or touch its file`;
    case 'exited':
      return `exited with ${lastExitWords(v)}; not restarted (restart: ${v.spec?.restart?.restart ?? 'always'})`;
    case 'dancing':
    case 'degraded': {
      const op = v.op;
      if (op.kind !== 'dance') return '';
      return state === 'degraded' ? `stand-in serving; new instance failed ${op.mainFailures} time(s), retrying` : `restart dance: ${DANCE_STEP_WORDS[op.step]}`;
    }
    case 'standby': {
      const claim = v.claim;
      if (claim.status !== 'waiting') return 'claiming the fleet singleton';
      return claim.holder === null ? claim.reason : `held by ${claim.holder}`;
    }
    case 'waiting':
      return `waiting for ${waitingFor(v).join(', ')} to be ready (after)`;
    case 'reloading':
      return `reload (${v.op.kind}) to revision ${v.rev}`;
    case 'stopped':
    case 'stopping':
      if (holdsStop(v)) return `stops once ${v.stopAfter.join(', ')} stopped (after)`;
      if (v.wish.want === 'down') return v.wish.by === 'operator' ? 'stopped by the operator' : 'the instance asked to be stopped (uWSGI)';
      return v.wish.want === 'gone' && v.wish.by === 'file-removed' ? 'its file was removed' : '';
    default: {
      if (v.failedRev === v.rev && v.failedReason) return `last reload failed: ${v.failedReason}`;
      const text = servingInstance(v)?.statusText;
      return text ?? '';
    }
  }
}

// A vassal throttled (or given up) because its starts fail says why in `error`, errno included.
function failedStartError(v: Vassal, state: VassalStateName): string | null {
  const e = v.lastExit;
  if ((state !== 'throttled' && state !== 'fatal') || e === null || e.code !== null || e.signal !== null) return null;
  return e.output;
}

function lastExitWords(v: Vassal): string {
  const e = v.lastExit;
  const how = e ? exitWords(e.code, e.signal) : 'unknown';
  return e?.output ? `${how}: ${e.output}` : how;
}

/** Warnings shown per vassal: a file with 60,000 unknown keys must not make a status of megabytes. */
export const WARNINGS_SHOWN = 20;
/** Characters of one status text (note, error): enough for any real message, bounded for the rest. */
export const STATUS_TEXT_MAX = 2000;

function capWarnings(warnings: readonly string[]): readonly string[] {
  if (warnings.length <= WARNINGS_SHOWN) return warnings.map(capText);
  return [...warnings.slice(0, WARNINGS_SHOWN).map(capText), `and ${warnings.length - WARNINGS_SHOWN} more warning(s): \`emperor check FILE\` lists them all`];
}

function capText(text: string): string {
  return text.length <= STATUS_TEXT_MAX ? text : `${text.slice(0, STATUS_TEXT_MAX)}… (${text.length - STATUS_TEXT_MAX} more characters)`;
}

function capNullable(text: string | null): string | null {
  return text === null ? null : capText(text);
}
