// Durations as users write them: a number of seconds, or "500ms", "10s", "2m", "1h", "1.5s", "1m30s".
import { describeValue } from './describe-value.js';

/** Node timers overflow above 2^31-1 ms (about 24.8 days) and then fire at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)/g;
const WHOLE = /^(?:(?:\d+(?:\.\d+)?|\.\d+)(?:ms|s|m|h))+$/;
const BARE_SECONDS = /^(?:\d+(?:\.\d+)?|\.\d+)$/;

type DurationResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly message: string };

// Turn a written duration into whole milliseconds; a bare number counts seconds
export function parseDuration(raw: unknown): DurationResult {
  const ms = durationMs(raw);
  const expected = 'expected a duration like 10s, 500ms or 2m';
  if (ms === undefined) return { ok: false, message: `${expected}, got ${describeValue(raw)}` };
  if (ms > MAX_DURATION_MS) return { ok: false, message: `${expected} of at most 596h, got ${describeValue(raw)}` };
  return { ok: true, ms };
}

// Write milliseconds in the largest unit that keeps them exact, e.g. 120000 -> "2m"
export function formatDuration(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] ?? 1;
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function durationMs(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? Math.round(raw * 1000) : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim().toLowerCase();
  if (BARE_SECONDS.test(text)) return Math.round(Number(text) * 1000);
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * (UNIT_MS[unit ?? ''] ?? Number.NaN);
  return Number.isFinite(total) ? Math.round(total) : undefined;
}
