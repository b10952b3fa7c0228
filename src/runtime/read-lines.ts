// Splits an instance's output stream into lines, one batch per chunk read from the pipe (a
// million lines a second go through here: per-batch work keeps the cost per line low). Lighter
// than node:readline, and a line longer than MAX_LINE is cut into pieces (each but the last
// marked continued) instead of growing without bound or being dropped.
import type { Readable } from 'node:stream';

export const MAX_LINE = 64 * 1024;

/** `cut[i]` is true when lines[i] is a piece of a longer line that goes on in lines[i + 1]; null when none is. */
export type LineBatch = (lines: string[], cut: boolean[] | null) => void;

// Calls onLines for the complete lines of every chunk, and for the unterminated rest at the end.
export function readLines(stream: Readable | null | undefined, onLines: LineBatch): void {
  if (!stream) return;
  stream.setEncoding('utf8');
  let rest = '';
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    let cut: boolean[] | null = null;
    let out = parts;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part.length > MAX_LINE) {
        ({ out, cut } = splitLong(parts));
        break;
      }
      if (part.endsWith('\r')) parts[i] = part.slice(0, -1);
    }
    while (rest.length > MAX_LINE) {
      if (!cut) cut = out.map(() => false);
      if (out === parts) out = [...parts];
      out.push(rest.slice(0, MAX_LINE));
      cut.push(true);
      rest = rest.slice(MAX_LINE);
    }
    if (out.length > 0) onLines(out, cut);
  });
  stream.on('end', () => {
    if (rest) onLines([rest], null);
    rest = '';
  });
  stream.on('error', () => {});
}

// The slow path, for a chunk with a line over MAX_LINE: every line, long ones in pieces.
function splitLong(parts: readonly string[]): { out: string[]; cut: boolean[] } {
  const out: string[] = [];
  const cut: boolean[] = [];
  for (const raw of parts) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let from = 0;
    while (line.length - from > MAX_LINE) {
      out.push(line.slice(from, from + MAX_LINE));
      cut.push(true);
      from += MAX_LINE;
    }
    out.push(from === 0 ? line : line.slice(from));
    cut.push(false);
  }
  return { out, cut };
}
