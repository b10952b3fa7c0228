// `restart`, `restart-burst`, `restart-window`, `max-restarts`: what follows a death of the
// original (the OTP supervisor's restart type and intensity; supervisord's FATAL).
import { describeValue } from './describe-value.js';
import { parseDuration } from './duration.js';
import type { Report } from './report.js';
import { DEFAULT_RESTART_POLICY, type RestartMode, type RestartPolicy } from '../core/restart-policy.js';

const RESTART_MODES: readonly RestartMode[] = ['always', 'on-failure', 'never'];

/** The restart keys a vassal wrote; absent ones take DEFAULT_RESTART_POLICY's values. */
export type WrittenRestart = Partial<RestartPolicy>;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// Type-check the restart keys present in the emperor section
export function readRestartKeys(section: Record<string, unknown>, report: Report): WrittenRestart {
  const written: Mutable<WrittenRestart> = {};
  const has = (name: string): boolean => Object.hasOwn(section, name);
  if (has('restart')) {
    const mode = RESTART_MODES.find((m) => m === section.restart);
    if (mode === undefined) report.error('emperor.restart', `expected one of ${RESTART_MODES.join(', ')}, got ${describeValue(section.restart)}`);
    else written.restart = mode;
  }
  if (has('restart-burst')) {
    const burst = readCount(section['restart-burst'], 'emperor.restart-burst', report, 'respawns that happen at once, like 5 (0: always wait)');
    if (burst !== undefined) written.burst = burst;
  }
  if (has('restart-window')) {
    const duration = parseDuration(section['restart-window']);
    if (!duration.ok) report.error('emperor.restart-window', duration.message);
    else if (duration.ms === 0) report.error('emperor.restart-window', `expected a duration greater than zero, got ${describeValue(section['restart-window'])}`);
    else written.windowMs = duration.ms;
  }
  if (has('max-restarts')) {
    const raw = section['max-restarts'];
    if (typeof raw === 'string' && ['unlimited', 'infinity'].includes(raw.trim().toLowerCase())) written.maxRestarts = null;
    else {
      const max = readCount(raw, 'emperor.max-restarts', report, 'respawns before giving up, like 10, or unlimited');
      if (max !== undefined) written.maxRestarts = max;
    }
  }
  return written;
}

// The vassal's policy: the written keys over the defaults
export function resolveRestart(written: WrittenRestart | undefined): RestartPolicy {
  return { ...DEFAULT_RESTART_POLICY, ...written };
}

function readCount(raw: unknown, key: string, report: Report, what: string): number | undefined {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  if (/^\d{1,9}$/.test(text)) return Number(text);
  report.error(key, `expected a whole number of ${what}, got ${describeValue(raw)}`);
  return undefined;
}
