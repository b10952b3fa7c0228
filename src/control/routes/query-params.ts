// Strict parsing of query parameters: a bad value is a 400 that says what was expected.
import { EmperorError } from '../../errors.js';

// `1|true|yes` / `0|false|no`; undefined when absent.
export function parseBooleanParam(query: URLSearchParams, key: string): boolean | undefined {
  const raw = query.get(key);
  if (raw === null) return undefined;
  if (['1', 'true', 'yes', ''].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new EmperorError('EMP_ERR_BAD_REQUEST', `expected ?${key}= to be 1 or 0, got '${raw}'`);
}

// A whole number in [min, max]; `fallback` when absent.
export function parseIntParam(query: URLSearchParams, key: string, fallback: number, min: number, max: number): number {
  const raw = query.get(key);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new EmperorError('EMP_ERR_BAD_REQUEST', `expected ?${key}= to be a whole number from ${min} to ${max}, got '${raw}'`);
  }
  return Number(raw);
}
