import { describe, expect, test } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { readLines } from '../../src/runtime/read-lines.js';

function collect(chunks: string[]): Promise<string[]> {
  const stream = new PassThrough();
  const lines: string[] = [];
  readLines(stream, (chunk) => lines.push(...chunk.lines));
  return new Promise((resolve) => {
    stream.on('end', () => setImmediate(() => resolve(lines)));
    for (const c of chunks) stream.write(c);
    stream.end();
  });
}

describe('reading instance output line by line', () => {
  test('lines split across chunks are joined, CRLF is trimmed, the unterminated rest comes last', async () => {
    expect(await collect(['hel', 'lo\nwor', 'ld\r\n', 'tail'])).toEqual(['hello', 'world', 'tail']);
  });

  test('a line that never ends is cut instead of growing without bound', async () => {
    const lines = await collect(['x'.repeat(200 * 1024)]);
    expect(lines.every((l) => l.length <= 64 * 1024)).toBe(true);
    expect(lines.join('').length).toBe(200 * 1024);
  });

  test('a long line that does end is cut too, every piece but the last marked as continued', async () => {
    const stream = new PassThrough();
    const got: [number, boolean][] = [];
    readLines(stream, (chunk) => chunk.lines.forEach((l, i) => got.push([l.length, chunk.cut?.[i] ?? false])));
    const done = new Promise((resolve) => stream.on('end', () => setImmediate(resolve)));
    stream.end(`${'y'.repeat(150 * 1024)}\nshort\n`);
    await done;
    expect(got).toEqual([[64 * 1024, true], [64 * 1024, true], [22 * 1024, false], [5, false]]);
  });
});
