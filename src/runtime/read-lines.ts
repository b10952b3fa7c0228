// Splits an instance's output stream into lines. Lighter than node:readline (one closure per
// stream instead of an Interface), and a line longer than MAX_LINE is cut into pieces (each but
// the last marked `continued`) instead of growing without bound or being dropped.
import type { Readable } from 'node:stream';

export const MAX_LINE = 64 * 1024;

// Calls onLine for every complete line, and for the unterminated rest at the end.
export function readLines(stream: Readable | null | undefined, onLine: (line: string, continued: boolean) => void): void {
  if (!stream) return;
  stream.setEncoding('utf8');
  let rest = '';
  const emit = (line: string): void => {
    let from = 0;
    while (line.length - from > MAX_LINE) {
      onLine(line.slice(from, from + MAX_LINE), true);
      from += MAX_LINE;
    }
    onLine(from === 0 ? line : line.slice(from), false);
  };
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) emit(part.endsWith('\r') ? part.slice(0, -1) : part);
    while (rest.length > MAX_LINE) {
      onLine(rest.slice(0, MAX_LINE), true);
      rest = rest.slice(MAX_LINE);
    }
  });
  stream.on('end', () => {
    if (rest) onLine(rest, false);
    rest = '';
  });
  stream.on('error', () => {});
}
