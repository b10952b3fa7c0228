// Keeps watching the vassals directory whatever happens to its path: removed and recreated,
// moved away and back, or a symlink swapped to another release (`ln -sfn r2 DIR.tmp && mv -T
// DIR.tmp DIR`). The path's parent is watched for the path itself changing; the directory's
// files through a VassalWatcher that is re-armed on the directory's current real path; and a
// periodic safety rescan catches what the kernel dropped (inotify queue overflow). What an
// observation means is decided by the core (dirStep).
import { lstatSync, realpathSync, statSync, watch as fsWatch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { DIR_MISSING, dirStep, initialDirState, type DirObservation, type DirState } from '../core/vassals-dir.js';
import type { Clock } from './clock.js';
import type { FileTracker } from './file-tracker.js';
import { watchVassals, type FileEvent, type VassalWatcher } from './vassal-watcher.js';

// An unlink is held this long before it is believed: `rm -rf DIR` unlinks every file before the
// directory itself goes, and an editor's save may unlink before it writes. If the directory is
// gone by then, it is the directory that went (grace period), not each vassal.
const UNLINK_SETTLE_MS = 150;
// After a burst of file events, one rescan once the directory has been quiet this long. In 4
// of 5 scale-bench runs that removed 1000 files at once, neither chokidar's unlink nor the raw
// inotify rename came for 15-33 of them (in blocks of neighbouring names; not reproduced outside
// the bench, cause not found), and only the periodic safety rescan stopped them, 18 s later. A
// rescan reads no unchanged file (140 ms of CPU at 10,000 files); a single event never triggers one.
const BURST_EVENTS = 32;
const BURST_QUIET_MS = 1000;
// The periodic rescan waits at least this many times as long as the last one took, so that it
// never costs more than 0.1 % of a core: at 5000 files one took 50-100 ms, and every 30 s they
// (with the collection of their garbage) were most of an idle emperor's 1.3 % of a core.
const RESCAN_COST_FACTOR = 1000;

export interface VassalsDirOptions {
  readonly dir: string;
  /** How long the vassals of a vanished directory keep running, in case it comes back. */
  readonly missingGraceMs: number;
  /** Shortest period of the safety rescan (stretched when a rescan is slow); 0: none. */
  readonly rescanEveryMs: number;
  readonly clock: Clock;
  readonly log: Logger;
  /** The directory's problem changed (null: none); for status, metrics and STATUS=. */
  readonly onProblem: (problem: string | null) => void;
}

export class VassalsDirWatch {
  readonly #opts: VassalsDirOptions;
  readonly #tracker: FileTracker;
  #state: DirState;
  #files: VassalWatcher | null = null;
  #parent: FSWatcher | null = null;
  #pendingUnlinks = new Set<string>();
  #unlinkTimer: NodeJS.Timeout | null = null;
  #graceTimer: NodeJS.Timeout | null = null;
  #rescanTimer: NodeJS.Timeout | null = null;
  #burstEvents = 0;
  #burstTimer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Cost of the last safety rescan, for the scale benchmark and the debug log. */
  lastRescan: { readonly files: number; readonly ms: number } | null = null;

  private constructor(opts: VassalsDirOptions, tracker: FileTracker, state: DirState) {
    this.#opts = opts;
    this.#tracker = tracker;
    this.#state = state;
  }

  // Starts watching; resolves once the directory's files have all been handed to the tracker.
  // Throws when the directory is not there at start (a usage error, decided by the caller).
  static async start(opts: VassalsDirOptions, tracker: FileTracker): Promise<VassalsDirWatch> {
    const seen = observe(opts.dir);
    if (seen.kind === 'absent') throw new Error(`${opts.dir}: ${seen.why}`);
    const w = new VassalsDirWatch(opts, tracker, initialDirState(seen.id, seen.real));
    w.#watchParent();
    await w.#arm(false);
    w.#scheduleRescan();
    return w;
  }

  get problem(): string | null {
    return this.#state.kind === 'missing' ? DIR_MISSING : null;
  }

  /** SIGHUP: look at the path and the files now. */
  rescan(): void {
    this.#look();
    if (this.#state.kind === 'watching') this.#tracker.rescan(this.#opts.dir);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of [this.#unlinkTimer, this.#graceTimer, this.#burstTimer]) if (t) clearTimeout(t);
    if (this.#rescanTimer) clearTimeout(this.#rescanTimer);
    this.#parent?.close();
    this.#parent = null;
    await this.#disarm();
  }

  // Looks at the path and does what the core decides.
  #look(): void {
    if (this.#closed) return;
    const { dir, missingGraceMs, clock, log } = this.#opts;
    const before = this.#state;
    const r = dirStep(before, observe(dir), clock(), missingGraceMs, dir);
    this.#state = r.state;
    if (r.log) log[r.log.level]({ vassalsDir: dir }, r.log.message);
    for (const action of r.actions) {
      if (action === 'disarm') void this.#disarm();
      else if (action === 'arm') void this.#arm(true).catch((err: unknown) => log.error({ err, vassalsDir: dir }, `cannot watch ${dir}: ${(err as Error).message}`));
      else this.#tracker.removeAll();
    }
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    this.#graceTimer = null;
    if (r.wakeAt !== null) {
      this.#graceTimer = setTimeout(() => this.#look(), Math.max(0, r.wakeAt - clock()));
      this.#graceTimer.unref();
    }
    if ((before.kind === 'missing') !== (r.state.kind === 'missing')) this.#opts.onProblem(this.problem);
    if (this.#parent === null) this.#watchParent();
  }

  async #arm(keepUnchanged: boolean): Promise<void> {
    await this.#disarm();
    const state = this.#state;
    if (state.kind !== 'watching') return;
    const { dir, log } = this.#opts;
    if (keepUnchanged) this.#tracker.rearming();
    const files = watchVassals(dir, state.real, (e) => this.#onFileEvent(e), (err) => {
      // The directory went away under the watcher (or the kernel refused a watch): look at the path.
      log.warn({ err, vassalsDir: dir }, `watcher error on ${dir}: ${err.message}`);
      this.#look();
    });
    this.#files = files;
    await files.ready;
    if (this.#files !== files || this.#state !== state) return; // re-armed or disarmed meanwhile
    this.#tracker.rescan(dir, keepUnchanged);
  }

  async #disarm(): Promise<void> {
    const files = this.#files;
    this.#files = null;
    this.#pendingUnlinks.clear();
    await files?.close();
  }

  #onFileEvent(e: FileEvent): void {
    this.#countBurst();
    if (e.kind !== 'unlink') {
      this.#pendingUnlinks.delete(e.file);
      this.#tracker.onEvent(e);
      return;
    }
    this.#pendingUnlinks.add(e.file);
    if (this.#unlinkTimer) return;
    this.#unlinkTimer = setTimeout(() => {
      this.#unlinkTimer = null;
      const files = [...this.#pendingUnlinks];
      this.#pendingUnlinks.clear();
      const before = this.#state;
      this.#look();
      // Gone, or back as a new directory: the unlinks were of the old one, and the re-arm's rescan
      // compares the new one with what runs.
      if (this.#state !== before || this.#state.kind !== 'watching') return;
      // The file may be back (an editor's save): the tracker loads it, or ignores it if unchanged.
      for (const file of files) this.#tracker.onEvent({ kind: existsAsFile(file) ? 'add' : 'unlink', file });
    }, UNLINK_SETTLE_MS);
    this.#unlinkTimer.unref();
  }

  // Counts the events of a burst; once the directory is quiet, a burst big enough gets its rescan.
  #countBurst(): void {
    this.#burstEvents += 1;
    if (this.#burstTimer) {
      this.#burstTimer.refresh();
      return;
    }
    this.#burstTimer = setTimeout(() => {
      this.#burstTimer = null;
      const events = this.#burstEvents;
      this.#burstEvents = 0;
      if (events < BURST_EVENTS) return;
      const found = this.#safetyRescan(`rescan after a burst of ${events} file events`);
      // Files the watcher never reported: worth a line, since that is what the rescan is for.
      if (found && found.gone > 0) this.#opts.log.info({ vassalsDir: this.#opts.dir, events, ...found }, `the rescan after a burst of ${events} file events found ${found.gone} removed file(s) no event had reported`);
    }, BURST_QUIET_MS);
    this.#burstTimer.unref();
  }

  // The path itself is an entry of its parent: a rename, removal or creation of it shows there.
  #watchParent(): void {
    const { dir, log } = this.#opts;
    const name = basename(dir);
    try {
      const w = fsWatch(dirname(dir), { persistent: false }, (_event, entry) => {
        if (entry === null || entry === name || entry.toString() === name) this.#look();
      });
      w.on('error', () => {
        // The parent went too: the safety rescan and the grace timer look at the path from now on.
        w.close();
        if (this.#parent === w) this.#parent = null;
      });
      this.#parent = w;
    } catch (err) {
      log.warn({ err, vassalsDir: dir }, `cannot watch the parent of ${dir} (${(err as Error).message}): a removed or swapped directory is noticed at the next safety rescan`);
    }
  }

  // The next periodic rescan: --rescan-interval after this one, or longer when the last was slow.
  #scheduleRescan(): void {
    const every = this.#opts.rescanEveryMs;
    if (every <= 0 || this.#closed) return;
    const delay = Math.max(every, (this.lastRescan?.ms ?? 0) * RESCAN_COST_FACTOR);
    this.#rescanTimer = setTimeout(() => {
      this.#safetyRescan();
      this.#scheduleRescan();
    }, delay);
    this.#rescanTimer.unref();
  }

  // Returns what the rescan found that no event had told (files loaded, files gone); null when
  // the directory is not being watched.
  #safetyRescan(why = 'safety rescan'): { readonly loaded: number; readonly gone: number } | null {
    const t0 = performance.now();
    this.#look();
    if (this.#state.kind !== 'watching') return null;
    try {
      const found = this.#tracker.rescan(this.#opts.dir);
      this.lastRescan = { files: this.#tracker.size, ms: performance.now() - t0 };
      this.#opts.log.debug({ vassalsDir: this.#opts.dir, ...this.lastRescan, ...found }, why);
      return found;
    } catch {
      this.#look(); // the directory went between the look and the read
      return null;
    }
  }
}

// What is at the path now, following symlinks.
export function observe(dir: string): DirObservation {
  try {
    const st = statSync(dir);
    if (!st.isDirectory()) return { kind: 'absent', why: 'not a directory any more' };
    return { kind: 'present', id: `${st.dev}:${st.ino}`, real: realpathSync(dir) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { kind: 'absent', why: code === 'ENOENT' ? 'no such directory' : `${code ?? 'error'}: ${(err as Error).message}` };
  }
}

// A file, or a symlink (even one that leads nowhere: the tracker shows it as broken).
function existsAsFile(file: string): boolean {
  try {
    return !statSync(file).isDirectory();
  } catch {
    try {
      return lstatSync(file).isSymbolicLink();
    } catch {
      return false;
    }
  }
}
