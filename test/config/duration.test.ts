import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { MAX_DURATION_MS, formatDuration, parseDuration } from '../../src/config/duration.js';

describe('parseDuration', () => {
  test.each<[unknown, number]>([
    [10, 10_000],
    [0, 0],
    [1.5, 1500],
    ['10', 10_000],
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5s', 1500],
    ['.5s', 500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    [' 10S ', 10_000],
  ])('%p is %p ms', (written, ms) => {
    expect(parseDuration(written)).toEqual({ ok: true, ms });
  });

  test.each<unknown>(['abc', '', '10 s', '-1s', '5d', 's', -1, Number.NaN, Number.POSITIVE_INFINITY, null, true, [10], { s: 1 }])('%p is rejected', (written) => {
    const result = parseDuration(written);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/^expected a duration like 10s, 500ms or 2m, got /);
  });

  test('durations longer than a Node timer can wait are rejected', () => {
    expect(parseDuration('597h')).toEqual({ ok: false, message: 'expected a duration like 10s, 500ms or 2m of at most 596h, got `597h` (string)' });
  });

  test('formatting then parsing gives back the same milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_DURATION_MS }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toEqual({ ok: true, ms });
      }),
    );
  });

  test('formatDuration picks the largest exact unit', () => {
    expect([0, 1500, 10_000, 120_000, 3_600_000, 90_000].map(formatDuration)).toEqual(['0ms', '1500ms', '10s', '2m', '1h', '90s']);
  });
});
