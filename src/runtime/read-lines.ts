// Splits an instance's output stream into lines, one chunk per read from the pipe. A million
// lines a second go through here, so the common case stays in bytes: newlines are found with
// Buffer.indexOf, the complete lines of a read are handed on as one Buffer, and text is decoded
// only when someone asks for it (a follower, a ready-by-log probe, the last lines of a dead
// instance). A line longer than MAX_LINE is cut into pieces (each but the last marked continued)
// instead of growing without bound or being dropped; the unfinished line is held in at most
// MAX_LINE bytes whatever the instance writes, so a burst leaves no memory behind.
//
// Nothing is allocated per read: a chunk's bytes are a view of the read buffer (shared by every
// pipe, see pipe-lines.ts) or of the splitter's own buffer for the unfinished line. So a chunk
// is valid only while onChunk runs: whoever keeps anything of it copies it then (the log file
// into its pages, the rings as text), and a chunk used later throws instead of showing bytes
// of another read.
import type { Readable } from 'node:stream';

export const MAX_LINE = 64 * 1024;
const NL = 0x0a;
const CR = 0x0d;

/** The lines of one read: as bytes when they can be written as they are, always as text on demand. */
export class OutputChunk {
  /**
   * Whole lines, each ending in '\n', none with '\r' before its newline or over MAX_LINE (or the
   * pieces of one long line, all marked in `cut`); null when only `lines` has them.
   */
  #bytes: Buffer | null;
  /** `cut[i]` is true when lines[i] is a piece of a longer line that goes on in lines[i + 1]; null when none is. */
  readonly cut: readonly boolean[] | null;
  #lines: string[] | null;
  #spent = false;

  private constructor(bytes: Buffer | null, lines: string[] | null, cut: boolean[] | null) {
    this.#bytes = bytes;
    this.#lines = lines;
    this.cut = cut;
  }

  get bytes(): Buffer | null {
    this.#check();
    return this.#bytes;
  }

  /** Its read is over: the bytes it viewed belong to the next read now. */
  spend(): void {
    this.#spent = true;
    this.#bytes = null;
  }

  #check(): void {
    if (this.#spent && this.#lines === null) throw new Error('an output chunk was used after its read: copy what you keep while onChunk runs');
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
    this.#check();
    this.#lines ??= this.#bytes!.toString('utf8', 0, this.#bytes!.length - 1).split('\n');
    return this.#lines;
  }

  /** The last n lines as text, decoding only those, and of each at most its first maxBytes. */
  last(n: number, maxBytes: number): string[] {
    this.#check();
    if (this.#lines || !this.#bytes) return this.lines.slice(-n).map((l) => (l.length > maxBytes ? l.slice(0, maxBytes) : l));
    const b = this.#bytes;
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

// Calls onChunk for the complete lines of every read of a stream, and for the unterminated rest
// at the end. An instance's stdout and stderr are read by pipe-lines.ts instead.
export function readLines(stream: Readable | null | undefined, onChunk: (chunk: OutputChunk) => void): void {
  if (!stream) return;
  const split = new LineSplitter(onChunk);
  stream.on('data', (data: Buffer) => split.push(data));
  stream.on('end', () => split.end());
  stream.on('error', () => {});
}

export class LineSplitter {
  readonly #onChunk: (chunk: OutputChunk) => void;
  /** The unfinished line, in a buffer of the splitter's own (grown as needed up to MAX_LINE + 1). */
  #rest: Buffer | null = null;
  #restLen = 0;

  constructor(onChunk: (chunk: OutputChunk) => void) {
    this.#onChunk = onChunk;
  }

  // `data` may be reused by the caller as soon as this returns.
  push(data: Buffer): void {
    const lastNl = data.lastIndexOf(NL);
    if (lastNl < 0) {
      this.#hold(data, 0, data.length);
      return;
    }
    let from = 0;
    if (this.#restLen > 0) {
      // The unfinished line ends in this read: it goes on its own, then the read's other lines.
      const firstNl = data.indexOf(NL);
      this.#hold(data, 0, firstNl + 1);
      const line = this.#rest!.subarray(0, this.#restLen);
      this.#restLen = 0;
      this.#emit(linesOf(line));
      from = firstNl + 1;
    }
    if (from <= lastNl) this.#emit(linesOf(data.subarray(from, lastNl + 1)));
    if (lastNl + 1 < data.length) this.#hold(data, lastNl + 1, data.length);
  }

  end(): void {
    if (this.#restLen > 0) this.#emit(OutputChunk.ofLines([this.#rest!.toString('utf8', 0, this.#restLen)]));
    this.#restLen = 0;
  }

  #emit(chunk: OutputChunk): void {
    try {
      this.#onChunk(chunk);
    } finally {
      chunk.spend();
    }
  }

  // Adds data[from, to) to the unfinished line, handing on MAX_LINE pieces of it (cut where a
  // character starts). The pieces stay bytes (each given a newline): a burst of hundreds of MB
  // without a newline makes no strings on the JavaScript heap and allocates nothing.
  #hold(data: Buffer, from: number, to: number): void {
    while (from < to) {
      const take = Math.min(to - from, MAX_LINE + 1 - this.#restLen);
      const rest = this.#room(this.#restLen + take);
      data.copy(rest, this.#restLen, from, from + take);
      this.#restLen += take;
      from += take;
      // A full piece without its newline: cut it (a completed line ending right here goes whole).
      if (this.#restLen > MAX_LINE && rest[this.#restLen - 1] !== NL) this.#cutPiece(rest);
    }
  }

  #cutPiece(rest: Buffer): void {
    let end = MAX_LINE;
    while (end > 1 && (rest[end]! & 0xc0) === 0x80) end--;
    // The piece and a newline in place, then the bytes after the cut moved to the front.
    const after = Buffer.from(rest.subarray(end, this.#restLen));
    rest[end] = NL;
    this.#emit(OutputChunk.ofPieces(rest.subarray(0, end + 1), 1));
    after.copy(rest, 0);
    this.#restLen = after.length;
  }

  // The unfinished line's buffer, with room for `bytes`.
  #room(bytes: number): Buffer {
    if (this.#rest && this.#rest.length >= bytes) return this.#rest;
    let size = this.#rest ? this.#rest.length : 256;
    while (size < bytes) size *= 2;
    const grown = Buffer.allocUnsafeSlow(Math.min(size, MAX_LINE + 1));
    if (this.#rest) this.#rest.copy(grown, 0, 0, this.#restLen);
    this.#rest = grown;
    return grown;
  }
}

// The chunk for whole lines (each ending in a newline).
function linesOf(whole: Buffer): OutputChunk {
  return plainLines(whole) ? OutputChunk.ofBytes(whole) : splitText(whole.toString('utf8', 0, whole.length - 1));
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
