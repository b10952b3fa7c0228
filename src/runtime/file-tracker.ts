// Turns watcher events into vassal events: loads each file (one load at a time per file),
// ignores events that changed nothing, and keeps one file per vassal name.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import { loadVassalFile } from '../config/load-vassal-file.js';
import { formatProblem, type LoadOptions } from '../config/spec.js';
import { isVassalFileName, vassalNameOf } from '../config/vassal-file-name.js';
import { duplicateNameProblem } from '../config/vassal-files.js';
import type { Dispatcher } from './dispatcher.js';
import type { FileEvent } from './vassal-watcher.js';

// chokidar drops a 'change' that comes within 50 ms of the previous one for the same path and
// never reports it later: each event is followed by one more look once that window has passed.
const RECHECK_AFTER_MS = 75;
// A file that could not be read for the host's sake (EMFILE, ENOMEM) is read again this much later.
const TRANSIENT_RETRY_MS = 1_000;

interface Tracked {
  /** mtime, size and content hash of the last load: an event that changes none of them is not a reload. */
  fingerprint: string | null;
  loading: boolean;
  again: boolean;
  recheck: NodeJS.Timeout | null;
}

export class FileTracker {
  readonly #files = new Map<string, Tracked>();
  /** Which file owns each vassal name; later files with the same name are broken duplicates. */
  readonly #owners = new Map<string, string>();
  readonly #fleet: Pick<Dispatcher, 'dispatch' | 'has' | 'onForget'>;
  readonly #opts: LoadOptions;
  readonly #log: Logger;
  /** Loads under way (across all files), and who waits for them all to finish. */
  #busy = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(fleet: Pick<Dispatcher, 'dispatch' | 'has' | 'onForget'>, opts: LoadOptions, log: Logger) {
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
    if (t.recheck) clearTimeout(t.recheck);
    t.recheck = setTimeout(() => {
      t.recheck = null;
      if (this.#files.get(e.file) === t) void this.#load(e.file);
    }, RECHECK_AFTER_MS);
    t.recheck.unref();
  }

  // Resolves once no load is under way: every file event handed in so far (the watcher's initial
  // scan, a rescan) has been loaded and dispatched to the fleet. Later events are not waited for,
  // except that a load running when it is called counts, and so does its `again` repeat.
  settled(): Promise<void> {
    if (this.#busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  // SIGHUP: compare the directory with what is known and catch up on anything missed.
  rescan(dir: string): void {
    const present = new Set<string>();
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, entry.name);
      if (!isVassalFileName(entry.name)) continue;
      try {
        if (!statSync(file).isFile()) continue;
      } catch {
        continue;
      }
      present.add(file);
      void this.#load(file);
    }
    for (const file of [...this.#files.keys()]) if (!present.has(file)) this.#removed(file);
  }

  #slotName(file: string): string {
    const name = vassalNameOf(file);
    const owner = this.#owners.get(name);
    return owner === undefined || owner === file ? name : basename(file);
  }

  async #load(file: string): Promise<void> {
    let t = this.#files.get(file);
    if (!t) {
      t = { fingerprint: null, loading: false, again: false, recheck: null };
      this.#files.set(file, t);
    }
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

  async #loadOnce(file: string, t: Tracked): Promise<void> {
    const name = vassalNameOf(file);
    if (!this.#owners.has(name)) this.#owners.set(name, file);
    const owner = this.#owners.get(name);
    if (owner !== file) {
      const dup = basename(file);
      this.#fleet.dispatch(dup, { type: 'file-invalid', file, error: `${file}: ${duplicateNameProblem(name, owner ?? '')}` }, file);
      return;
    }
    let mtime = '';
    try {
      const st = statSync(file);
      mtime = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      return; // vanished meanwhile: the unlink event follows
    }
    const result = await loadVassalFile(file, this.#opts);
    if (this.#files.get(file) !== t) return; // removed while loading
    if (!result.ok && result.transient) {
      // The emperor ran out of descriptors or memory, the file is not at fault: what runs keeps
      // running, nothing is marked broken, and the file is read again once the host recovers.
      this.#log.warn({ vassal: name, file }, `${result.errors.map(formatProblem).join('; ')}; trying again in ${TRANSIENT_RETRY_MS / 1000}s`);
      if (t.recheck) clearTimeout(t.recheck);
      t.recheck = setTimeout(() => {
        t.recheck = null;
        if (this.#files.get(file) === t) void this.#load(file);
      }, TRANSIENT_RETRY_MS);
      t.recheck.unref();
      return;
    }
    const fingerprint = result.ok ? `${mtime}:${result.spec.contentHash}` : `${mtime}:invalid:${result.errors.map(formatProblem).join('|')}`;
    if (fingerprint === t.fingerprint) return;
    t.fingerprint = fingerprint;
    if (result.ok) {
      for (const w of result.spec.warnings) this.#log.warn({ vassal: name, file }, w);
      this.#fleet.dispatch(name, { type: 'file-loaded', spec: result.spec }, file);
    } else {
      const error = result.errors.map(formatProblem).join('; ');
      this.#fleet.dispatch(name, { type: 'file-invalid', file, error }, file);
    }
  }

  #removed(file: string): void {
    const t = this.#files.get(file);
    if (!t) return;
    if (t.recheck) clearTimeout(t.recheck);
    this.#files.delete(file);
    const slot = this.#slotName(file);
    this.#fleet.dispatch(slot, { type: 'file-removed' });
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
