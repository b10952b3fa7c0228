import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { OutputLine } from '../../src/core/status.js';
import { formatLogLine, parseLogLine } from '../../src/runtime/log-line-format.js';

const line = fc.record(
  {
    at: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    generation: fc.nat({ max: 100_000 }),
    stream: fc.constantFrom('stdout' as const, 'stderr' as const, 'emperor' as const),
    line: fc.string().filter((s) => !s.includes('\n')),
    role: fc.constant('standin' as const),
    continued: fc.constant(true as const),
  },
  { requiredKeys: ['at', 'generation', 'stream', 'line'] },
).map((l): OutputLine => (l.stream === 'emperor' ? { ...l, level: 'warn' } : l));

describe('log line formats', () => {
  test.each(['timestamped', 'json'] as const)('%s lines read back as they were written', (format) => {
    fc.assert(
      fc.property(line, (l) => {
        const text = formatLogLine(format, l)!;
        expect(text.endsWith('\n')).toBe(true);
        expect(parseLogLine(format, text.slice(0, -1))).toEqual(l);
      }),
    );
  });

  test('timestamped: time, generation, role and stream before the line', () => {
    expect(formatLogLine('timestamped', { at: Date.UTC(2026, 11, 3, 7, 12), generation: 3, stream: 'stderr', role: 'standin', line: 'boom' })).toBe('2026-12-03T07:12:00.000Z #3 standin stderr: boom\n');
    expect(formatLogLine('timestamped', { at: 0, generation: 0, stream: 'emperor', level: 'error', line: 'x' })).toBe('1970-01-01T00:00:00.000Z - emperor error: x\n');
  });

  test('plain keeps the instance\'s line as it was and leaves lifecycle lines out; foreign lines read back as text', () => {
    expect(formatLogLine('plain', { at: 1, generation: 1, stream: 'stdout', line: 'as is' })).toBe('as is\n');
    expect(formatLogLine('plain', { at: 1, generation: 1, stream: 'emperor', line: 'spawned' })).toBeNull();
    expect(parseLogLine('timestamped', 'written by someone else')).toEqual({ at: null, generation: 0, stream: 'stdout', line: 'written by someone else' });
  });
});
