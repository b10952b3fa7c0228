// Real pipes for an instance's stdout and stderr. Node's `stdio: 'pipe'` gives a child one end
// of a UNIX socket pair, and that costs the instance twice:
// - Every write(2) to a socket is a buffer of its own in the kernel, charged at several times
//   its size against a ~208 KiB limit: a program writing 100-byte lines fills it after about
//   300 lines and waits for the emperor. A pipe packs the lines into its 64 KiB of pages (655
//   such lines). Measured with the log bench's flood app, read the same way: 271k lines/s at
//   0.71 ms of the emperor's CPU per 1000 lines through the socket pair, 310-320k lines/s (the
//   app's own speed writing to /dev/null) at 0.35 ms through a pipe.
// - `/dev/stdout` and `/dev/stderr` cannot be opened on a socket (ENXIO), so a program told to
//   log there (nginx, postgres, many shell scripts) fails. On a pipe they open.
// Node cannot make an anonymous pipe, but it can open a FIFO: made by `mkfifo` in a private
// directory of the run dir, many at a time, each opened at both ends and unlinked when taken, so
// what the instance gets is a pipe no other process can reach.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Both ends of one pipe: the instance writes to `writeFd`, the emperor reads `readFd`. */
export interface OutputPipe {
  readonly readFd: number;
  readonly writeFd: number;
}

// One mkfifo run makes this many (a few ms): 10,000 vassals' stdout and stderr take 80 runs.
const BATCH = 256;
// A vassal running as another user may reopen its /dev/stdout (its own fd, by /proc/self/fd),
// which checks the FIFO's mode: writable by anyone, yet reachable by no one else, since the
// directory is the emperor's alone and the name is gone before the instance starts.
const FIFO_MODE = '0622';
const SHORTAGE = new Set(['EMFILE', 'ENFILE', 'ENOMEM', 'EAGAIN']);

export class OutputPipes {
  readonly #dir: string;
  #ready: string[] = [];
  #made = 0;
  #cleared = false;
  #problem: string | null = null;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Why FIFOs cannot be made here (instances then get socket pairs), once that was found. */
  get problem(): string | null {
    return this.#problem;
  }

  /**
   * A fresh pipe, or null when FIFOs cannot be made here at all (see `problem`). Throws when
   * the emperor is short of descriptors or memory: a failed start, retried like any other.
   */
  open(): OutputPipe | null {
    if (this.#problem !== null) return null;
    let path: string;
    try {
      path = this.#next();
    } catch (error) {
      const err = error as NodeJS.ErrnoException;
      if (SHORTAGE.has(err.code ?? '')) throw error;
      this.#problem = `cannot make FIFOs in ${this.#dir}: ${err.message.split('\n')[0]}`;
      return null;
    }
    let readFd: number | null = null;
    try {
      // The read end first, without waiting for a writer; then the write end finds its reader.
      readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      const writeFd = openSync(path, constants.O_WRONLY);
      return { readFd, writeFd };
    } catch (error) {
      if (readFd !== null) closeSync(readFd);
      throw error;
    } finally {
      unlinkSync(path);
    }
  }

  /** Removes FIFOs made but never taken (the emperor stops). */
  close(): void {
    for (const path of this.#ready) rmSync(path, { force: true });
    this.#ready = [];
  }

  #next(): string {
    if (this.#ready.length === 0) this.#makeBatch();
    const path = this.#ready.pop();
    if (path === undefined) throw new Error(`mkfifo made no FIFO in ${this.#dir}`);
    return path;
  }

  #makeBatch(): void {
    if (!this.#cleared) {
      // Left by an emperor that died with FIFOs made: nothing else uses this run dir (it is locked).
      mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
      for (const name of readdirSync(this.#dir)) rmSync(join(this.#dir, name), { force: true });
      this.#cleared = true;
    }
    const paths = Array.from({ length: BATCH }, () => join(this.#dir, `p${this.#made++}`));
    execFileSync('mkfifo', ['-m', FIFO_MODE, ...paths], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#ready = paths.reverse();
  }
}
