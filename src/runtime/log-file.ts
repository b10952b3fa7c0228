// One `logto` file, written without ever blocking the event loop: lines queue in memory and
// one asynchronous write at a time appends them. The file is rotated by size at a line
// boundary (path -> path.1 -> … -> path.N, the oldest dropped), reopened at its path on request
// (logrotate's create + postrotate), and a failure (full disk, no permission) is reported once
// and costs only the lines that could not be written, counted, never the instance.
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LogFileSpec } from '../core/spec.js';
import type { Clock } from './clock.js';
import { pageCopy, pageRelease, pageShare, type PagedBytes } from './log-pages.js';

export interface LogFileHooks {
  /** Writing failed; called once until a write works again. */
  failed(path: string, err: NodeJS.ErrnoException): void;
  /** Writing works again after a failure; `dropped` lines were lost meanwhile. */
  recovered(path: string, dropped: number): void;
  /** Lines that could not be written. */
  dropped(lines: number): void;
}

/** Past this many queued bytes the writer asks its producers to pause (pipe back-pressure). */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
/** At most this much per write(2). */
const MAX_CHUNK = 1024 * 1024;
/** Lines wait up to BATCH_MS for BATCH_BYTES more before they are written. */
const BATCH_BYTES = 256 * 1024;
const BATCH_MS = 5;
const NL = 0x0a;
/** After a failure, lines are dropped at once for this long before the file is tried again. */
const RETRY_MS = 5000;

export class LogFile {
  #spec: LogFileSpec;
  readonly #hooks: LogFileHooks;
  readonly #clock: Clock;
  #fh: FileHandle | null = null;
  #ino = 0;
  #size = 0;
  /** Queued lines, copied into pages (log-pages.ts): the caller's buffer may be reused at once. */
  #pending: PagedBytes[] = [];
  #pendingBytes = 0;
  #busy = false;
  #reopen = false;
  #closed = false;
  #blocked = false;
  #timer: NodeJS.Timeout | null = null;
  #failedAt: number | null = null;
  #failing = false;
  /** A rotation failed: count the file as empty once, so the next rotation comes maxBytes later. */
  #keepSize = false;
  #droppedInFailure = 0;
  readonly #drainListeners = new Set<() => void>();
  #idleWaiters: (() => void)[] = [];

  constructor(spec: LogFileSpec, hooks: LogFileHooks, clock: Clock) {
    this.#spec = spec;
    this.#hooks = hooks;
    this.#clock = clock;
  }

  get path(): string {
    return this.#spec.path;
  }

  /**
   * Queues whole lines (each with its newline), with `prefix` before each when given; false asks
   * the producer to pause until onDrain. The bytes are copied: `data` may be reused at once.
   */
  write(data: Buffer, prefix: Buffer | null = null): boolean {
    if (this.#closed) return true;
    if (this.#failedAt !== null && this.#clock() - this.#failedAt < RETRY_MS) {
      this.#drop(countLines(data));
      return true;
    }
    const entry = pageCopy(data, prefix);
    this.#pending.push(entry);
    this.#pendingBytes += entry.view.length;
    // Small amounts wait a moment for more: one write(2) per batch, not per pipe read, costs
    // the emperor (and the instance sharing its CPUs) far fewer thread-pool round trips.
    if (this.#pendingBytes >= BATCH_BYTES) this.#kick();
    else this.#timer ??= setTimeout(() => this.#kick(), BATCH_MS);
    if (this.#pendingBytes < HIGH_WATER) return true;
    this.#blocked = true;
    return false;
  }

  onDrain(listener: () => void): () => void {
    this.#drainListeners.add(listener);
    return () => this.#drainListeners.delete(listener);
  }

  /** Close and open the file again at its path, after the lines already queued. */
  reopen(): void {
    this.#reopen = true;
    this.#failedAt = null;
    this.#kick();
  }

  /** New settings; a new path is opened after the lines already queued. */
  retarget(spec: LogFileSpec): void {
    const moved = spec.path !== this.#spec.path;
    this.#spec = spec;
    if (moved) this.reopen();
  }

  /** Resolves once every queued line is written (or dropped). */
  flushed(): Promise<void> {
    if (!this.#busy && this.#pending.length === 0) return Promise.resolve();
    this.#kick();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    await this.flushed();
    this.#closed = true;
    await this.#closeHandle();
  }

  #kick(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (!this.#busy) void this.#run();
  }

  async #run(): Promise<void> {
    this.#busy = true;
    try {
      for (;;) {
        if (this.#reopen) {
          this.#reopen = false;
          await this.#closeHandle();
        }
        if (this.#pending.length === 0) break;
        if (!this.#fh && !(await this.#open())) {
          this.#drop(this.#pending.reduce((sum, entry) => sum + countLines(entry.view), 0));
          for (const entry of this.#pending) pageRelease(entry.page);
          this.#pending = [];
          this.#pendingBytes = 0;
          break;
        }
        const { chunk, bytes, full } = this.#take();
        if (bytes > 0) {
          try {
            await writeAll(this.#fh!, chunk.map((entry) => entry.view), bytes);
            this.#size += bytes;
            this.#recovered();
          } catch (err) {
            this.#fail(err as NodeJS.ErrnoException);
            this.#drop(chunk.reduce((sum, entry) => sum + countLines(entry.view), 0));
            await this.#closeHandle();
          }
          for (const entry of chunk) pageRelease(entry.page);
          this.#pendingBytes -= bytes;
          this.#drained();
        }
        if (full && this.#pending.length > 0) await this.#rotate();
      }
    } finally {
      this.#busy = false;
      this.#drained();
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  // Takes the queued lines that fit one write and, with rotation on, the room left in the file.
  #take(): { chunk: PagedBytes[]; bytes: number; full: boolean } {
    const max = this.#spec.maxBytes;
    let bytes = 0;
    let n = 0;
    let full = false;
    for (let i = 0; i < this.#pending.length; i++) {
      const entry = this.#pending[i]!;
      const len = entry.view.length;
      if (n > 0 && bytes + len > MAX_CHUNK) break;
      if (max !== undefined && this.#size + bytes + len > max) {
        // Only the lines that fit go now; the rest waits for the next file. A line longer
        // than the whole limit still goes, alone, into an empty file.
        const head = fittingLines(entry.view, max - this.#size - bytes, this.#size + bytes === 0);
        if (head > 0) {
          pageShare(entry.page);
          this.#pending[i] = { view: entry.view.subarray(head), page: entry.page };
          this.#pending.splice(i, 0, { view: entry.view.subarray(0, head), page: entry.page });
          bytes += head;
          n++;
        }
        full = true;
        break;
      }
      bytes += len;
      n++;
    }
    const taken = n === this.#pending.length ? this.#pending : this.#pending.slice(0, n);
    this.#pending = n === this.#pending.length ? [] : this.#pending.slice(n);
    return { chunk: taken, bytes, full };
  }

  async #open(): Promise<boolean> {
    const path = this.#spec.path;
    try {
      await mkdir(dirname(path), { recursive: true });
      const fh = await open(path, 'a', 0o644);
      const st = await fh.stat();
      this.#fh = fh;
      this.#ino = st.ino;
      if (!this.#keepSize) this.#size = st.size;
      this.#keepSize = false;
      return true;
    } catch (err) {
      this.#fail(err as NodeJS.ErrnoException);
      return false;
    }
  }

  async #rotate(): Promise<void> {
    const { path, backups } = this.#spec;
    const current = await stat(path).catch(() => null);
    const mine = this.#fh ? await this.#fh.stat().catch(() => null) : null;
    // Someone else rotated it (renamed without telling us, or copytruncate): follow, do not rotate again.
    if (mine && (current === null || current.ino !== this.#ino)) {
      await this.#closeHandle();
      return;
    }
    if (mine && mine.size < this.#size) {
      this.#size = mine.size;
      return;
    }
    await this.#closeHandle();
    try {
      if (backups === 0) {
        await rm(path, { force: true });
      } else {
        await rm(`${path}.${backups}`, { force: true });
        for (let i = backups - 1; i >= 1; i--) await rename(`${path}.${i}`, `${path}.${i + 1}`).catch(ignoreMissing);
        await rename(path, `${path}.1`);
      }
    } catch (err) {
      // Keep appending to the file as it is rather than trying again at every line.
      this.#fail(err as NodeJS.ErrnoException);
      this.#failedAt = null;
      this.#size = 0;
      this.#keepSize = true;
    }
  }

  async #closeHandle(): Promise<void> {
    const fh = this.#fh;
    this.#fh = null;
    await fh?.close().catch(() => undefined);
  }

  #fail(err: NodeJS.ErrnoException): void {
    this.#failedAt = this.#clock();
    if (this.#failing) return;
    this.#failing = true;
    this.#droppedInFailure = 0;
    this.#hooks.failed(this.#spec.path, err);
  }

  #recovered(): void {
    this.#failedAt = null;
    if (!this.#failing) return;
    this.#failing = false;
    this.#hooks.recovered(this.#spec.path, this.#droppedInFailure);
  }

  #drop(lines: number): void {
    this.#droppedInFailure += lines;
    this.#hooks.dropped(lines);
  }

  #drained(): void {
    if (!this.#blocked || this.#pendingBytes >= LOW_WATER) return;
    this.#blocked = false;
    for (const listener of [...this.#drainListeners]) listener();
  }
}

// The length of the longest run of whole lines at the start of `data` within `room` bytes; with
// `force`, at least the first line whatever its size.
function fittingLines(data: Buffer, room: number, force: boolean): number {
  const within = room > 0 ? data.lastIndexOf(NL, Math.min(room, data.length) - 1) : -1;
  if (within >= 0) return within + 1;
  return force ? data.indexOf(NL) + 1 : 0;
}

function countLines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(NL); i >= 0; i = data.indexOf(NL, i + 1)) n++;
  return n;
}

// One writev(2) for the lines of a batch (no copy into one buffer); a short write, rare on a
// regular file, goes on with what is left.
async function writeAll(fh: FileHandle, buffers: Buffer[], total: number): Promise<void> {
  const { bytesWritten } = await fh.writev(buffers);
  if (bytesWritten >= total) return;
  const rest = Buffer.concat(buffers, total).subarray(bytesWritten);
  let off = 0;
  while (off < rest.length) {
    const { bytesWritten: n } = await fh.write(rest, off, rest.length - off);
    off += n;
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}
