// Remembers which vassals the operator stopped, so that a restarted emperor (upgrade, crash,
// `systemctl restart`, a reboot) keeps them stopped: a singleton moved to another host must
// not come back here. An entry holds the file's content hash at the time of the stop: the same
// content on the first load after a restart means "still stopped"; a changed file, `emperor
// start` or a removal of the file forgets it. The list lives beside the files it is about,
// <vassals>/.emperor-stopped.json (a dotfile: never a vassal); when the emperor cannot write
// there (or has no directory: every vassal comes from etcd), in <run-dir>/stopped.json, which a
// reboot (or systemd's RuntimeDirectory) removes.
import { accessSync, constants, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VassalEvent } from '../core/events.js';
import type { Vassal } from '../core/vassal.js';
import type { Dispatcher } from './dispatcher.js';

type Fleet = Pick<Dispatcher, 'dispatch' | 'dispatchInStopOrder' | 'has' | 'onForget'>;

export class OperatorStops {
  readonly #path: string;
  readonly #onError: (err: Error) => void;
  /** vassal name -> content hash of its file when the operator stopped it */
  readonly #stops: Map<string, string>;

  constructor(vassalsDir: string | null, runDir: string, onError: (err: Error) => void) {
    this.#path = vassalsDir !== null && writable(vassalsDir) ? join(vassalsDir, '.emperor-stopped.json') : join(runDir, 'stopped.json');
    this.#onError = onError;
    this.#stops = this.#read();
  }

  /** Where the list is kept. */
  get path(): string {
    return this.#path;
  }

  // The fleet as the file tracker sees it: the first load of a remembered vassal whose file is
  // unchanged arrives marked `stoppedByOperator`, so the core never starts it.
  marking(fleet: Fleet): Fleet {
    return {
      has: (name) => fleet.has(name),
      onForget: (listener) => fleet.onForget(listener),
      dispatchInStopOrder: (names, event) => fleet.dispatchInStopOrder(names, event),
      dispatch: (name: string, event: VassalEvent, file?: string) => {
        const first = event.type === 'file-loaded' && !fleet.has(name);
        const stopped = first && this.#stops.get(name) === event.spec.contentHash;
        fleet.dispatch(name, stopped ? { ...event, stoppedByOperator: true } : event, file);
      },
    };
  }

  // Level-triggered, after every step of a vassal: records or forgets its stop from its wish.
  observe(v: Vassal): void {
    const wish = v.wish;
    if (wish.want === 'gone' && wish.by === 'shutdown') return; // shutting down keeps every entry
    const hash = wish.want === 'down' && wish.by === 'operator' ? v.spec?.contentHash : undefined;
    if (hash === this.#stops.get(v.name)) return;
    if (hash === undefined) this.#stops.delete(v.name);
    else this.#stops.set(v.name, hash);
    this.#write();
  }

  // Once every file found at start has loaded: entries of vassals whose file is gone are dropped.
  prune(known: (name: string) => boolean): void {
    const before = this.#stops.size;
    for (const name of [...this.#stops.keys()]) if (!known(name)) this.#stops.delete(name);
    if (this.#stops.size !== before) this.#write();
  }

  #read(): Map<string, string> {
    let text: string;
    try {
      text = readFileSync(this.#path, 'utf8');
    } catch {
      return new Map();
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      return new Map(Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch (err) {
      this.#onError(new Error(`${this.#path}: ignored, not the emperor's JSON (${(err as Error).message}); every vassal starts`));
      return new Map();
    }
  }

  // Whole or not at all: a crash mid-write leaves the previous file.
  #write(): void {
    const tmp = `${this.#path}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(Object.fromEntries([...this.#stops].sort()), null, 2)}\n`, { mode: 0o600 });
      renameSync(tmp, this.#path);
    } catch (err) {
      this.#onError(err as Error);
    }
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
