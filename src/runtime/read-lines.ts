// Splits an instance's output stream into lines. Lighter than node:readline (one closure per
// stream instead of an Interface), and a line that never ends is cut at MAX_LINE instead of
// growing without bound.
import type { Readable } from 'node:stream';

const MAX_LINE = 64 * 1024;

// Calls onLine for every complete line, and for the unterminated rest at the end.
export function readLines(stream: Readable | null | undefined, onLine: (line: string) => void): void {
  if (!stream) return;
  stream.setEncoding('utf8');
  let rest = '';
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) onLine(part.endsWith('\r') ? part.slice(0, -1) : part);
    while (rest.length > MAX_LINE) {
      onLine(rest.slice(0, MAX_LINE));
      rest = rest.slice(MAX_LINE);
    }
  });
  stream.on('end', () => {
    if (rest) onLine(rest);
    rest = '';
  });
  stream.on('error', () => {});
}
