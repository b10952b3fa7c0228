// The keys that describe one process, shared by `emperor` and `emperor.standin`.
import { describeValue } from './describe-value.js';
import { parseDuration } from './duration.js';
import { readUmask } from './read-account-keys.js';
import { readCommand } from './read-command.js';
import { readEnv } from './read-env.js';
import { readFlag } from './read-flag.js';
import { readLimits } from './read-limits.js';
import { readByteSize, readLogBackups, readLogFormat } from './read-log-keys.js';
import { readReady } from './read-ready.js';
import type { Report } from './report.js';
import { parseSignal } from './stop-signal.js';
import type { WrittenProcess } from './written-vassal.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// Type-check the process keys present in a section (prefix is its dotted path); absent keys stay undefined
export function readProcessKeys(section: Record<string, unknown>, prefix: string, report: Report): WrittenProcess {
  const written: Mutable<WrittenProcess> = {};
  const has = (name: string): boolean => Object.hasOwn(section, name);
  const key = (name: string): string => `${prefix}.${name}`;
  if (has('command')) written.command = readCommand(section.command, key('command'), report);
  if (has('cwd')) written.cwd = readPath(section.cwd, key('cwd'), report);
  if (has('env')) written.env = readEnv(section.env, key('env'), report);
  if (has('stop-signal')) {
    const signal = parseSignal(section['stop-signal']);
    if (signal.ok) written.stopSignal = signal.signal;
    else report.error(key('stop-signal'), signal.message);
  }
  if (has('stop-timeout')) written.stopTimeoutMs = readDuration(section['stop-timeout'], key('stop-timeout'), report, 0);
  if (has('ready')) written.ready = readReady(section.ready, key('ready'), report);
  if (has('ready-timeout')) written.readyTimeoutMs = readDuration(section['ready-timeout'], key('ready-timeout'), report, 1);
  if (has('logto')) written.logto = readPath(section.logto, key('logto'), report);
  if (has('log-max-size')) written.logMaxBytes = readByteSize(section['log-max-size'], key('log-max-size'), report);
  if (has('log-backups')) written.logBackups = readLogBackups(section['log-backups'], key('log-backups'), report);
  if (has('log-format')) written.logFormat = readLogFormat(section['log-format'], key('log-format'), report);
  if (has('heartbeat-timeout')) {
    written.heartbeatTimeoutMs = readDuration(section['heartbeat-timeout'], key('heartbeat-timeout'), report, 1);
  }
  if (has('umask')) written.umask = readUmask(section.umask, key('umask'), report);
  if (has('limits')) written.limits = readLimits(section.limits, key('limits'), report);
  if (has('merge-stderr')) written.mergeStderr = readFlag(section['merge-stderr'], key('merge-stderr'), report);
  return written;
}

// Read a file or directory path as written (resolution against the vassal's directory comes later)
export function readPath(raw: unknown, key: string, report: Report): string | undefined {
  if (typeof raw === 'string' && raw.trim() !== '' && !raw.includes('\0')) return raw;
  report.error(key, `expected a path (absolute, or relative to the vassal file's directory), got ${describeValue(raw)}`);
  return undefined;
}

function readDuration(raw: unknown, key: string, report: Report, minMs: number): number | undefined {
  const duration = parseDuration(raw);
  if (!duration.ok) {
    report.error(key, duration.message);
    return undefined;
  }
  if (duration.ms >= minMs) return duration.ms;
  report.error(key, `expected a duration greater than zero, got ${describeValue(raw)}`);
  return undefined;
}
