// `ready`: how the emperor learns that an instance serves. notify | spawn | log: REGEX | delay: DURATION.
import { describeValue, isMapping } from './describe-value.js';
import { parseDuration } from './duration.js';
import type { Report } from './report.js';
import type { ReadySpec } from '../core/spec.js';

const EXPECTED = 'expected one of notify, spawn, "log: REGEX", "delay: 5s", {log: REGEX} or {delay: 5s}';

// Read a written ready probe, in its string form ("log: Listening") or its mapping form ({log: Listening})
export function readReady(raw: unknown, key: string, report: Report): ReadySpec | undefined {
  if (raw === 'notify' || raw === 'spawn') return { kind: raw };
  const pair = readyPair(raw);
  if (pair === undefined) {
    report.error(key, `${EXPECTED}, got ${describeValue(raw)}`);
    return undefined;
  }
  const [kind, argument] = pair;
  if (kind === 'delay') {
    const duration = parseDuration(argument);
    if (duration.ok) return { kind: 'delay', ms: duration.ms };
    report.error(key, duration.message);
    return undefined;
  }
  return readLogPattern(argument, key, report);
}

function readyPair(raw: unknown): readonly ['log' | 'delay', unknown] | undefined {
  if (typeof raw === 'string') {
    const match = /^\s*(log|delay)\s*:(.*)$/s.exec(raw);
    return match ? [match[1] as 'log' | 'delay', (match[2] ?? '').trim()] : undefined;
  }
  if (!isMapping(raw)) return undefined;
  const keys = Object.keys(raw);
  const only = keys[0];
  return keys.length === 1 && (only === 'log' || only === 'delay') ? [only, raw[only]] : undefined;
}

function readLogPattern(pattern: unknown, key: string, report: Report): ReadySpec | undefined {
  if (typeof pattern !== 'string' || pattern === '') {
    report.error(key, `expected a regular expression matching the line that means ready, got ${describeValue(pattern)}`);
    return undefined;
  }
  try {
    new RegExp(pattern);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    report.error(key, `expected a valid regular expression, got ${describeValue(pattern)} (${reason})`);
    return undefined;
  }
  return { kind: 'log', pattern };
}
