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
  return a.contentHash !== b.contentHash && JSON.stringify(a.process.log) + JSON.stringify(a.standin?.log) !== JSON.stringify(b.process.log) + JSON.stringify(b.standin?.log) && withoutLogs(a) === withoutLogs(b);
}

function withoutLogs(spec: VassalSpec): string {
  return JSON.stringify(spec, (key, value: unknown) => (key === 'log' || key === 'contentHash' || key === 'warnings' ? undefined : value));
}
