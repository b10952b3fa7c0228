// A vassal's log files apart from everything else in its spec: a change of `logto` or of its
// rotation settings is applied to the running instances (the runtime reopens the file) instead
// of restarting them.
import type { LogFileSpec, VassalSpec } from './spec.js';

export interface LogSettings {
  readonly main: LogFileSpec | undefined;
  readonly standin: LogFileSpec | undefined;
}

export function logSettingsOf(spec: VassalSpec): LogSettings {
  return { main: spec.process.log, standin: spec.standin?.log };
}

// True when the two specs differ, and only in their log settings (a touch differs in nothing).
export function onlyLogSettingsDiffer(a: VassalSpec, b: VassalSpec): boolean {
  return a.contentHash !== b.contentHash && logsKey(a) !== logsKey(b) && withoutLogs(a) === withoutLogs(b);
}

function logsKey(spec: VassalSpec): string {
  return JSON.stringify([spec.process.log ?? null, spec.standin?.log ?? null]);
}

function withoutLogs(spec: VassalSpec): string {
  return JSON.stringify(spec, (key, value: unknown) => (key === 'log' || key === 'contentHash' || key === 'warnings' ? undefined : value));
}
