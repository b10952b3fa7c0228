// Turns watcher events into vassal events: loads each file (one load at a time per file),
// ignores events that changed nothing, and keeps one file per vassal name. Vassals whose text
// comes from elsewhere (etcd keys, runtime/etcd-vassals) come through here too (onContent), so
// that a name is owned once across every source and a collision is reported like two files.
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import { loadVassalContent, loadVassalFile } from '../config/load-vassal-file.js';
import { formatProblem, type LoadOptions } from '../config/spec.js';
import { isVassalFileName, vassalNameOf } from '../config/vassal-file-name.js';
import { duplicateNameProblem } from '../config/vassal-files.js';
import { nofileHint, transientErrno } from '../lib/transient-errors.js';
import type { VassalSpec } from '../core/spec.js';
import type { Dispatcher } from './dispatcher.js';
import type { FileEvent } from './vassal-watcher.js';

// chokidar drops a 'change' that comes within 50 ms of the previous one for the same path and
// never reports it later: each event is followed by one more look once that window has passed.
const RECHECK_AFTER_MS = 75;
// A dangling symlink's target, or a file that could not be read for a transient reason (EMFILE …),
// is looked at again this often: no event would tell when the target appears or the limit eases.
const RETRY_EVERY_MS = 1000;
/** Warnings logged for one load of one file: a file with 60,000 unknown keys must not flood the log. */
export const WARNINGS_LOGGED = 20;

interface Tracked {
  /** mtime, size, inode and content hash of the last load: an event that changes none of them is not a reload. */
  fingerprint: string | null;
  /** mtime, size and inode alone, for a rescan to skip unchanged files without reading them. */
  statKey: string | null;
  /** Content hash of the last valid load: after a re-arm, the same content is not a reload. */
  contentHash: string | null;
  loading: boolean;
  again: boolean;
  /** The next load keeps a running vassal whose content is unchanged (directory re-armed). */
  keepUnchanged: boolean;
  recheck: NodeJS.Timeout | null;
  /** The text of a vassal that is no file (an etcd key) and its version (the key's mod revision); null for a file. */
  content: { readonly bytes: Buffer; readonly version: string } | null;
}

type FileLook = { readonly kind: 'file'; readonly statKey: string; readonly size: number; readonly mtimeMs: number } | { readonly kind: 'dangling'; readonly why: string } | { readonly kind: 'gone' };

export class FileTracker {
  readonly #files = new Map<string, Tracked>();
  /** Which file owns each vassal name; later files with the same name are broken duplicates. */
  readonly #owners = new Map<string, string>();
  /** Files looked at again every RETRY_EVERY_MS: dangling symlinks and transient read errors. */
  readonly #retry = new Set<string>();
  #retryTimer: NodeJS.Timeout | null = null;
  readonly #fleet: Pick<Dispatcher, 'dispatch' | 'dispatchInStopOrder' | 'has' | 'onForget'>;
  readonly #opts: LoadOptions;
  readonly #log: Logger;
  /** Loads under way (across all files), and who waits for them all to finish. */
  #busy = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(fleet: Pick<Dispatcher, 'dispatch' | 'dispatchInStopOrder' | 'has' | 'onForget'>, opts: LoadOptions, log: Logger) {
    this.#fleet = fleet;
    this.#opts = opts;
    this.#log = log;
    fleet.onForget((name) => this.#promoteDuplicate(name));
  }

  // Handles one watcher event.
  onEvent(e: FileEvent): void {
    if (e.kind === 'unlink') {
      this.#removed(e.file);
      return;
    }
    void this.#load(e.file);
    const t = this.#files.get(e.file);
    if (!t) return;
    this.#recheckLater(e.file, t);
  }

  // The look after chokidar's window: a stat, and a load only when the file is not the one last
  // loaded (mtime, size, inode). Loading every file twice was a tenth of starting a large fleet.
  // While the load is still under way (thousands of files arriving at once), the look waits:
  // that load's own before/after stat covers the writes until it ends.
  #recheckLater(file: string, t: Tracked): void {
    if (t.recheck) clearTimeout(t.recheck);
    t.recheck = setTimeout(() => {
      t.recheck = null;
      if (this.#files.get(file) !== t) return;
      if (t.loading) return this.#recheckLater(file, t);
      const look = lookAt(file);
      if (look.kind === 'file' && look.statKey === t.statKey && !this.#retry.has(file)) return;
      void this.#load(file);
    }, RECHECK_AFTER_MS);
    t.recheck.unref();
  }

  /**
   * A vassal that is no file: its text arrived (an etcd put). `version` changes at every write,
   * even of the same text: a new version with the same text is a touch (a reload), the same
   * version again is nothing.
   */
  onContent(file: string, bytes: Buffer, version: string): void {
    const t = this.#files.get(file) ?? this.#track(file, false);
    t.content = { bytes, version };
    void this.#load(file);
  }

  /** A vassal that is no file is gone (an etcd delete). */
  onContentRemoved(file: string): void {
    this.#removed(file);
  }

  // Resolves once no load is under way: every file event handed in so far (the watcher's initial
  // scan, a rescan) has been loaded and dispatched to the fleet. Later events are not waited for,
  // except that a load running when it is called counts, and so does its `again` repeat.
  settled(): Promise<void> {
    if (this.#busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Compares the directory with what is known and catches up on anything missed: SIGHUP, the
   * periodic safety rescan, and every (re-)arm of the watcher. O(files): a file whose mtime,
   * size and inode are unchanged is not read. With `keepUnchanged` (the directory was re-armed:
   * it came back, or its symlink now points elsewhere), a file with the same content as before
   * is not a reload, whatever its inode. Throws when the directory cannot be read. Returns how
   * many files it loaded (new or changed since their last load) and how many it found gone.
   */
  rescan(dir: string, keepUnchanged = false): { readonly loaded: number; readonly gone: number } {
    const present = new Set<string>();
    let loaded = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!isVassalFileName(entry.name) || entry.isDirectory()) continue;
      const file = join(dir, entry.name);
      const look = lookAt(file);
      if (look.kind === 'gone') continue;
      present.add(file);
      const t = this.#files.get(file);
      if (t && look.kind === 'file' && look.statKey === t.statKey && !this.#retry.has(file)) {
        if (keepUnchanged) t.keepUnchanged = false; // the very file it was: a later touch is a touch
        continue;
      }
      if (t && keepUnchanged) t.keepUnchanged = true;
      loaded += 1;
      void this.#load(file, keepUnchanged);
    }
    // Keys from etcd are no files of this directory: only their own source removes them.
    const gone = [...this.#files].filter(([file, t]) => !present.has(file) && t.content === null).map(([file]) => file);
    this.#removedTogether(gone);
    return { loaded, gone: gone.length };
  }

  /**
   * The directory is about to be watched again (it came back, or its symlink was swapped): until
   * the rescan that follows, the watcher may already report files, and the first load of each
   * known file, whichever comes first, takes the same content as no change.
   */
  rearming(): void {
    for (const t of this.#files.values()) if (t.content === null) t.keepUnchanged = true;
  }

  /** How many files are known. */
  get size(): number {
    return this.#files.size;
  }

  /** The directory is gone for good (its grace period is over): every one of its vassals goes. */
  removeAll(): void {
    this.#removedTogether([...this.#files].filter(([, t]) => t.content === null).map(([file]) => file));
  }

  /** At exit. */
  dispose(): void {
    if (this.#retryTimer) clearInterval(this.#retryTimer);
    this.#retryTimer = null;
    for (const t of this.#files.values()) if (t.recheck) clearTimeout(t.recheck);
  }

  #slotName(file: string): string {
    const name = vassalNameOf(file);
    const owner = this.#owners.get(name);
    return owner === undefined || owner === file ? name : basename(file);
  }

  async #load(file: string, keepUnchanged = false): Promise<void> {
    const t = this.#files.get(file) ?? this.#track(file, keepUnchanged);
    if (t.loading) {
      t.again = true;
      return;
    }
    t.loading = true;
    this.#busy++;
    try {
      do {
        t.again = false;
        await this.#loadOnce(file, t);
      } while (t.again && this.#files.get(file) === t);
    } finally {
      t.loading = false;
      if (--this.#busy === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  #track(file: string, keepUnchanged: boolean): Tracked {
    const t: Tracked = { fingerprint: null, statKey: null, contentHash: null, loading: false, again: false, keepUnchanged, recheck: null, content: null };
    this.#files.set(file, t);
    return t;
  }

  async #loadOnce(file: string, t: Tracked): Promise<void> {
    const name = vassalNameOf(file);
    if (!this.#owners.has(name)) this.#owners.set(name, file);
    const owner = this.#owners.get(name);
    if (owner !== file) {
      const dup = basename(file);
      this.#fleet.dispatch(dup, { type: 'file-invalid', file, error: `${file}: ${duplicateNameProblem(name, owner ?? '')}` }, file);
      return;
    }
    if (t.content !== null) {
      await this.#loadContent(name, file, t, t.content);
      return;
    }
    const look = lookAt(file);
    if (look.kind === 'gone') {
      // Vanished meanwhile: the watcher's unlink follows (and a rescan catches a missed one).
      this.#retry.delete(file);
      return;
    }
    if (look.kind === 'dangling') {
      this.#retryLater(file);
      this.#invalid(name, file, t, `dangling:${look.why}`, `${file}: ${look.why}`, null);
      return;
    }
    if (look.size === 0 && Date.now() - look.mtimeMs < RECHECK_AFTER_MS) {
      // Just created and still empty: most writers create the file, then write it. Calling it
      // broken now would log a warning and show "file is empty" for a moment; the look after
      // the window reads it written, or calls it empty then.
      this.#recheckLater(file, t);
      return;
    }
    const keep = t.keepUnchanged;
    t.keepUnchanged = false;
    const result = await loadVassalFile(file, this.#opts);
    if (this.#files.get(file) !== t) return; // removed while loading
    const after = lookAt(file);
    if (after.kind !== 'file' || after.statKey !== look.statKey) {
      // Written while it was read (its creation is seen before its content): what was read may
      // not be what is there, and a second look would take the same content for a touch.
      t.keepUnchanged = keep;
      t.again = true;
      return;
    }
    if (!result.ok) {
      const error = result.errors.map(formatProblem).join('; ');
      if (result.transient || transientErrno(error) !== null) {
        // The emperor ran out of descriptors or memory, the file is not at fault: what runs keeps
        // running, nothing is marked broken, and the file is read again until it reads.
        if (!this.#retry.has(file)) this.#log.warn({ vassal: name, file }, `${error}; trying again every ${RETRY_EVERY_MS / 1000} s (${nofileHint()})`);
        this.#retryLater(file);
        t.statKey = null;
        return;
      }
      this.#retry.delete(file);
      this.#invalid(name, file, t, `${look.statKey}:invalid:${error}`, error, look.statKey);
      return;
    }
    this.#retry.delete(file);
    t.statKey = look.statKey;
    const fingerprint = `${look.statKey}:${result.spec.contentHash}`;
    if (fingerprint === t.fingerprint) return;
    const sameContent = keep && t.contentHash === result.spec.contentHash && t.fingerprint !== null && !t.fingerprint.includes(':invalid:');
    this.#loaded(name, file, t, fingerprint, result.spec, sameContent);
  }

  // A vassal that is no file: its version stands where a file's mtime, size and inode do.
  async #loadContent(name: string, file: string, t: Tracked, content: { readonly bytes: Buffer; readonly version: string }): Promise<void> {
    const result = await loadVassalContent(file, content.bytes, this.#opts);
    if (this.#files.get(file) !== t) return; // removed while loading
    if (t.content !== content) {
      t.again = true; // written again while it was loaded
      return;
    }
    if (!result.ok) {
      const error = result.errors.map(formatProblem).join('; ');
      this.#invalid(name, file, t, `${content.version}:invalid:${error}`, error, null);
      return;
    }
    const fingerprint = `${content.version}:${result.spec.contentHash}`;
    if (fingerprint !== t.fingerprint) this.#loaded(name, file, t, fingerprint, result.spec, false);
  }

  #loaded(name: string, file: string, t: Tracked, fingerprint: string, spec: VassalSpec, quietly: boolean): void {
    t.fingerprint = fingerprint;
    t.contentHash = spec.contentHash;
    if (quietly) return;
    logCapped(this.#log, { vassal: name, file }, spec.warnings);
    this.#fleet.dispatch(name, { type: 'file-loaded', spec }, file);
  }

  // Dispatches the file's problem once; `statKey` lets a rescan skip it until it changes (null: look again).
  #invalid(name: string, file: string, t: Tracked, fingerprint: string, error: string, statKey: string | null): void {
    t.statKey = statKey;
    if (fingerprint === t.fingerprint) return;
    t.fingerprint = fingerprint;
    this.#fleet.dispatch(name, { type: 'file-invalid', file, error }, file);
  }

  #retryLater(file: string): void {
    this.#retry.add(file);
    if (this.#retryTimer) return;
    this.#retryTimer = setInterval(() => {
      if (this.#retry.size === 0) {
        if (this.#retryTimer) clearInterval(this.#retryTimer);
        this.#retryTimer = null;
        return;
      }
      for (const f of this.#retry) if (this.#files.has(f)) void this.#load(f);
    }, RETRY_EVERY_MS);
    this.#retryTimer.unref();
  }

  #removed(file: string): void {
    const slot = this.#forgetFile(file);
    if (slot !== null) this.#fleet.dispatch(slot, { type: 'file-removed' });
  }

  // Files gone at once (a rescan, the directory removed) stop in stop order: dependents first.
  #removedTogether(files: readonly string[]): void {
    const slots = files.map((f) => this.#forgetFile(f)).filter((s): s is string => s !== null);
    this.#fleet.dispatchInStopOrder(slots, { type: 'file-removed' });
  }

  // Drops a tracked file; returns the vassal name it held, or null when it was not tracked.
  #forgetFile(file: string): string | null {
    const t = this.#files.get(file);
    this.#retry.delete(file);
    if (!t) return null;
    if (t.recheck) clearTimeout(t.recheck);
    this.#files.delete(file);
    return this.#slotName(file);
  }

  // When a name's owner is forgotten, a duplicate file waiting for that name takes it over.
  #promoteDuplicate(name: string): void {
    if (this.#owners.get(name) === undefined) return;
    const ownerFile = this.#owners.get(name);
    if (ownerFile !== undefined && this.#files.has(ownerFile)) return; // the owner came back
    this.#owners.delete(name);
    for (const [file, t] of this.#files) {
      if (vassalNameOf(file) !== name || file === ownerFile) continue;
      const dup = basename(file);
      if (this.#fleet.has(dup)) this.#fleet.dispatch(dup, { type: 'file-removed' });
      t.fingerprint = null;
      void this.#load(file);
      return;
    }
  }
}

// What is at the path now: a file (with what identifies this version of it), a symlink that
// leads nowhere, or nothing. A directory or other non-file counts as a file here: loading it
// says what is wrong with it.
function lookAt(file: string): FileLook {
  try {
    const st = statSync(file);
    if (st.isDirectory()) return { kind: 'gone' };
    return { kind: 'file', statKey: `${st.mtimeMs}:${st.size}:${st.ino}`, size: st.size, mtimeMs: st.mtimeMs };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { kind: 'dangling', why: 'broken: symlink loop' };
    try {
      if (lstatSync(file).isSymbolicLink()) return { kind: 'dangling', why: 'broken: target missing (the symlink points nowhere; it starts when its target appears)' };
    } catch {
      // gone altogether
    }
    return { kind: 'gone' };
  }
}

// Logs a file's warnings, the first WARNINGS_LOGGED of them and how many more.
function logCapped(log: Logger, where: { vassal: string; file: string }, warnings: readonly string[]): void {
  for (const w of warnings.slice(0, WARNINGS_LOGGED)) log.warn(where, w);
  if (warnings.length > WARNINGS_LOGGED) log.warn(where, `${where.file}: and ${warnings.length - WARNINGS_LOGGED} more warning(s) (emperor check ${where.file} lists them all)`);
}
