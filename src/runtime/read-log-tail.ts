// Reads a vassal's `logto` file back, newest line first, through its rotated files
// (path, path.1, … path.N), without reading more of them than the answer needs.
import { open } from 'node:fs/promises';
import type { LogFileSpec } from '../core/spec.js';
import type { OutputLine } from '../core/status.js';
import { parseLogLine } from './log-line-format.js';

const CHUNK = 64 * 1024;

// The last `n` lines, none older than `since` (epoch ms; lines without a time are kept), oldest first.
export async function readLogTail(spec: LogFileSpec, n: number, since: number | null): Promise<OutputLine[]> {
  const newestFirst: OutputLine[] = [];
  if (n <= 0) return newestFirst;
  const paths = [spec.path, ...Array.from({ length: spec.backups }, (_, i) => `${spec.path}.${i + 1}`)];
  for (const path of paths) {
    for await (const text of linesBackwards(path)) {
      const line = parseLogLine(spec.format, text);
      if (since !== null && line.at !== null && line.at < since) return newestFirst.reverse();
      newestFirst.push(line);
      if (newestFirst.length >= n) return newestFirst.reverse();
    }
  }
  return newestFirst.reverse();
}

// The lines of a file from its end backwards; nothing when the file does not exist.
async function* linesBackwards(path: string): AsyncGenerator<string> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return;
  }
  try {
    let pos = (await fh.stat()).size;
    let tail: Buffer = Buffer.alloc(0);
    let first = true;
    while (pos > 0) {
      const len = Math.min(CHUNK, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, pos);
      let data = Buffer.concat([buf, tail]);
      // The file's last byte is the newline of its last line: no empty line after it.
      if (first && data.at(-1) === 0x0a) data = data.subarray(0, -1);
      first = false;
      let end = data.length;
      for (let i = data.length - 1; i >= 0; i--) {
        if (data[i] !== 0x0a) continue;
        yield data.toString('utf8', i + 1, end);
        end = i;
      }
      tail = Buffer.from(data.subarray(0, end));
    }
    if (tail.length > 0) yield tail.toString('utf8');
  } finally {
    await fh.close();
  }
}
