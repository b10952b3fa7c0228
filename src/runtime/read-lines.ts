// Splits an instance's output stream into lines, one chunk per read from the pipe. A million
// lines a second go through here, so the common case stays in bytes: newlines are found with
// Buffer.indexOf, the complete lines of a read are handed on as one Buffer, and text is decoded
// only when someone asks for it (a follower, a ready-by-log probe, the last lines of a dead
// instance). A line longer than MAX_LINE is cut into pieces (each but the last marked continued)
// instead of growing without bound or being dropped; the unfinished line is held in at most
// MAX_LINE bytes whatever the instance writes, so a burst leaves no memory behind.
import type { Readable } from 'node:stream';
import { coalesceReads } from './coalesce-reads.js';

export const MAX_LINE = 64 * 1024;
const NL = 0x0a;
const CR = 0x0d;
const NEWLINE = Buffer.from('\n');

/** The lines of one read: as bytes when they can be written as they are, always as text on demand. */
export class OutputChunk {
  /**
   * Whole lines, each ending in '\n', none with '\r' before its newline or over MAX_LINE (or the
   * pieces of one long line, all marked in `cut`); null when only `lines` has them.
   */
  readonly bytes: Buffer | null;
  /** `cut[i]` is true when lines[i] is a piece of a longer line that goes on in lines[i + 1]; null when none is. */
  readonly cut: readonly boolean[] | null;
  #lines: string[] | null;

  private constructor(bytes: Buffer | null, lines: string[] | null, cut: boolean[] | null) {
    this.bytes = bytes;
    this.#lines = lines;
    this.cut = cut;
  }

  static ofBytes(bytes: Buffer): OutputChunk {
    return new OutputChunk(bytes, null, null);
  }

  /** n pieces of one unfinished line, each ending in '\n', every one continued in the next. */
  static ofPieces(bytes: Buffer, n: number): OutputChunk {
    return new OutputChunk(bytes, null, new Array<boolean>(n).fill(true));
  }

  static ofLines(lines: string[], cut: boolean[] | null = null): OutputChunk {
    return new OutputChunk(null, lines, cut);
  }

  /** The lines as text, without their newlines (decoded once, on first use). */
  get lines(): readonly string[] {
    this.#lines ??= this.bytes!.toString('utf8', 0, this.bytes!.length - 1).split('\n');
    return this.#lines;
  }

  /** The last n lines as text, decoding only those, and of each at most its first maxBytes. */
  last(n: number, maxBytes: number): string[] {
    if (this.#lines || !this.bytes) return this.lines.slice(-n).map((l) => (l.length > maxBytes ? l.slice(0, maxBytes) : l));
    const b = this.bytes;
    const out: string[] = [];
    let end = b.length - 1;
    while (out.length < n && end >= 0) {
      const start = end === 0 ? 0 : b.lastIndexOf(NL, end - 1) + 1;
      out.unshift(b.toString('utf8', start, Math.min(end, start + maxBytes)));
      end = start - 1;
    }
    return out;
  }
}

// Calls onChunk for the complete lines of every read, and for the unterminated rest at the end.
// `coalesce` lets a busy pipe fill between reads (see coalesce-reads.ts): for stdout and stderr,
// not for the notify channel whose one line should be seen at once.
export function readLines(stream: Readable | null | undefined, onChunk: (chunk: OutputChunk) => void, coalesce = false): void {
  if (!stream) return;
  const split = new LineSplitter(onChunk);
  stream.on('data', (data: Buffer) => split.push(data));
  stream.on('end', () => split.end());
  stream.on('error', () => {});
  if (coalesce) coalesceReads(stream);
}

export class LineSplitter {
  readonly #onChunk: (chunk: OutputChunk) => void;
  /** The unfinished line: never more than MAX_LINE bytes (longer is handed on in pieces). */
  #rest: Buffer | null = null;

  constructor(onChunk: (chunk: OutputChunk) => void) {
    this.#onChunk = onChunk;
  }

  push(data: Buffer): void {
    const lastNl = data.lastIndexOf(NL);
    if (lastNl < 0) {
      this.#hold(this.#rest ? Buffer.concat([this.#rest, data]) : data);
      return;
    }
    const whole = this.#rest ? Buffer.concat([this.#rest, data.subarray(0, lastNl + 1)]) : data.subarray(0, lastNl + 1);
    this.#rest = null;
    this.#onChunk(plainLines(whole) ? OutputChunk.ofBytes(whole) : splitText(whole.toString('utf8', 0, whole.length - 1)));
    if (lastNl + 1 < data.length) this.#hold(data.subarray(lastNl + 1));
  }

  end(): void {
    if (this.#rest) this.#onChunk(OutputChunk.ofLines([this.#rest.toString('utf8')]));
    this.#rest = null;
  }

  // Keeps an unfinished line, handing on MAX_LINE pieces of it (cut where a character starts).
  // The piece kept is a copy, so no read buffer of the pipe stays alive behind it.
  #hold(bytes: Buffer): void {
    // The pieces stay bytes (each given a newline): a burst of hundreds of MB without a newline
    // makes no strings on the JavaScript heap, whose young generation would grow and stay grown.
    const pieces: Buffer[] = [];
    let from = 0;
    while (bytes.length - from > MAX_LINE) {
      let end = from + MAX_LINE;
      while (end > from + 1 && (bytes[end]! & 0xc0) === 0x80) end--;
      pieces.push(bytes.subarray(from, end), NEWLINE);
      from = end;
    }
    if (pieces.length > 0) this.#onChunk(OutputChunk.ofPieces(Buffer.concat(pieces), pieces.length / 2));
    this.#rest = Buffer.from(bytes.subarray(from));
  }
}

// True when every line can go on as bytes: no CR before a newline, none over MAX_LINE.
function plainLines(b: Buffer): boolean {
  if (b.indexOf(CR) >= 0) return false;
  if (b.length <= MAX_LINE + 1) return true;
  let from = 0;
  for (let nl = b.indexOf(NL); nl >= 0; nl = b.indexOf(NL, from)) {
    if (nl - from > MAX_LINE) return false;
    from = nl + 1;
  }
  return true;
}

// The slow path, for lines with CRs or over MAX_LINE: every line as text, long ones in pieces.
function splitText(text: string): OutputChunk {
  const out: string[] = [];
  const cut: boolean[] = [];
  for (const raw of text.split('\n')) {
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
  return OutputChunk.ofLines(out, cut.some(Boolean) ? cut : null);
}
