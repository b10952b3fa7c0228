// WrittenProcess -> ProcessSpec: defaults, paths resolved, and the rules that span several keys.
import path from 'node:path';
import { formatDuration } from './duration.js';
import { warnBufferedPython } from './python-buffering.js';
import type { Report } from './report.js';
import type { Command, LogFileSpec, ProcessSpec } from '../core/spec.js';
import { vassalBaseDir, type VassalFormat } from './vassal-file-name.js';
import type { WrittenProcess } from './written-vassal.js';

const DEFAULT_STOP_TIMEOUT_MS = 10_000;
const DEFAULT_READY_TIMEOUT_MS = 60_000;
const DEFAULT_LOG_BACKUPS = 5;
/** uWSGI's emperor-required-heartbeat default. */
const DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;

/** Where the process comes from: the file it was written in, and whether it is a uWSGI instance. */
export interface ProcessOrigin {
  readonly file: string;
  readonly format: VassalFormat;
  readonly flavour: 'native' | 'uwsgi';
  readonly vassalWrapper: string;
  /** The uwsgi section sets `heartbeat`, so the instance will send heartbeats. */
  readonly uwsgiHeartbeat: boolean;
  /** The emperor's --required-heartbeat, when given. */
  readonly requiredHeartbeatMs?: number | undefined;
}

// Build the ProcessSpec of a vassal (or stand-in file) from its written keys; native ones need a command
export function resolveProcess(written: WrittenProcess, command: Command, origin: ProcessOrigin, prefix: string, report: Report): ProcessSpec {
  const dir = vassalBaseDir(origin.file);
  const uwsgi = origin.flavour === 'uwsgi';
  if (uwsgi) warnProtocolKeys(written, prefix, report);
  else if (written.heartbeatTimeoutMs !== undefined) {
    report.warn(`${prefix}.heartbeat-timeout`, 'only uWSGI vassals send heartbeats (ignored)');
  }
  const spec: ProcessSpec = {
    command,
    cwd: path.resolve(dir, written.cwd ?? '.'),
    env: written.env ?? {},
    protocol: uwsgi ? 'uwsgi' : 'plain',
    stopSignal: uwsgi ? 'SIGINT' : (written.stopSignal ?? 'SIGTERM'),
    stopTimeoutMs: written.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
    ready: uwsgi ? { kind: 'uwsgi' } : (written.ready ?? { kind: 'spawn' }),
    readyTimeoutMs: written.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    log: resolveLog(written, undefined, dir, prefix, report),
    heartbeatTimeoutMs: uwsgi ? (written.heartbeatTimeoutMs ?? (origin.uwsgiHeartbeat ? (origin.requiredHeartbeatMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS) : undefined)) : undefined,
    // Who it runs as comes from the vassal's `user`/`group` (resolve-run-as.ts), set by the caller.
    runAs: undefined,
    umask: written.umask,
    limits: written.limits,
    ...(written.mergeStderr === true ? { mergeStderr: true as const } : {}),
  };
  checkReadyDelay(spec, prefix, report);
  warnBufferedPython(spec, prefix, report);
  return spec;
}

// The command that runs a uWSGI config file through the wrapper, e.g. [uwsgi, --yaml, /v/app.yml]
export function uwsgiCommand(origin: Pick<ProcessOrigin, 'file' | 'format' | 'vassalWrapper'>): Command {
  return { kind: 'argv', argv: [origin.vassalWrapper, `--${origin.format}`, origin.file] };
}

// Merge stand-in overrides onto the vassal's process: env key by key, every other key replaced (limits as a whole)
export function applyOverrides(base: ProcessSpec, overrides: WrittenProcess, file: string, prefix: string, report: Report): ProcessSpec {
  const dir = vassalBaseDir(file);
  // A new command leaves the uWSGI protocol behind: the stand-in is then a plain process.
  const uwsgi = base.protocol === 'uwsgi' && overrides.command === undefined;
  if (uwsgi) warnProtocolKeys(overrides, prefix, report);
  const plainDefaults = base.protocol === 'uwsgi' && !uwsgi;
  const spec: ProcessSpec = {
    command: overrides.command ?? base.command,
    cwd: overrides.cwd === undefined ? base.cwd : path.resolve(dir, overrides.cwd),
    env: { ...base.env, ...overrides.env },
    protocol: uwsgi ? 'uwsgi' : 'plain',
    stopSignal: uwsgi ? base.stopSignal : (overrides.stopSignal ?? (plainDefaults ? 'SIGTERM' : base.stopSignal)),
    stopTimeoutMs: overrides.stopTimeoutMs ?? base.stopTimeoutMs,
    ready: uwsgi ? base.ready : (overrides.ready ?? (plainDefaults ? { kind: 'spawn' } : base.ready)),
    readyTimeoutMs: overrides.readyTimeoutMs ?? base.readyTimeoutMs,
    log: resolveLog(overrides, base.log, dir, prefix, report),
    heartbeatTimeoutMs: uwsgi ? (overrides.heartbeatTimeoutMs ?? base.heartbeatTimeoutMs) : undefined,
    // The stand-in runs as the vassal's own user and group.
    runAs: base.runAs,
    umask: overrides.umask ?? base.umask,
    limits: overrides.limits ?? base.limits,
    ...((overrides.mergeStderr ?? base.mergeStderr === true) ? { mergeStderr: true as const } : {}),
    ...(base.dirs ? { dirs: base.dirs } : {}),
  };
  if (!uwsgi && overrides.heartbeatTimeoutMs !== undefined) {
    report.warn(`${prefix}.heartbeat-timeout`, 'only uWSGI instances send heartbeats (ignored)');
  }
  // Inherited values were checked with the vassal itself; report only what the overrides change.
  if (overrides.ready !== undefined || overrides.readyTimeoutMs !== undefined) checkReadyDelay(spec, prefix, report);
  if (overrides.ready !== undefined || overrides.command !== undefined) warnBufferedPython(spec, prefix, report);
  return spec;
}

// The log file: logto and its settings, each key written here replacing the inherited one
function resolveLog(written: WrittenProcess, base: LogFileSpec | undefined, dir: string, prefix: string, report: Report): LogFileSpec | undefined {
  const logPath = written.logto === undefined ? base?.path : path.resolve(dir, written.logto);
  if (logPath === undefined) {
    for (const [key, value] of [['log-max-size', written.logMaxBytes], ['log-backups', written.logBackups], ['log-format', written.logFormat]] as const) {
      if (value !== undefined) report.warn(`${prefix}.${key}`, 'applies to a `logto` file, and there is none (ignored)');
    }
    return undefined;
  }
  return {
    path: logPath,
    maxBytes: written.logMaxBytes ?? base?.maxBytes,
    backups: written.logBackups ?? base?.backups ?? DEFAULT_LOG_BACKUPS,
    format: written.logFormat ?? base?.format ?? 'timestamped',
  };
}

function warnProtocolKeys(written: WrittenProcess, prefix: string, report: Report): void {
  if (written.ready !== undefined) {
    report.warn(`${prefix}.ready`, 'uWSGI vassals report readiness through the emperor protocol (ignored)');
  }
  if (written.stopSignal !== undefined) {
    report.warn(`${prefix}.stop-signal`, 'uWSGI vassals are stopped through the emperor protocol (ignored)');
  }
}

// A delay probe that cannot finish before the ready timeout would fail every start.
function checkReadyDelay(spec: ProcessSpec, prefix: string, report: Report): void {
  if (spec.ready.kind === 'delay' && spec.ready.ms >= spec.readyTimeoutMs) {
    report.error(
      `${prefix}.ready`,
      `expected a delay shorter than ready-timeout (${formatDuration(spec.readyTimeoutMs)}), got ${formatDuration(spec.ready.ms)}; raise ready-timeout or shorten the delay`,
    );
  }
}
