// The held sockets of every vassal. Each vassal's socket jobs run one at a time, in order, so a
// second change of its socket list never races the first across the await of a bind.
import type { SocketSpec } from '../core/spec.js';
import type { VassalEvent } from '../core/events.js';
import { nofileHint, transientErrno } from '../lib/transient-errors.js';
import type { HeldSocket, SocketBinder } from './held-sockets.js';

type Report = (name: string, event: Extract<VassalEvent, { type: 'sockets-held' | 'sockets-failed' | 'retry' }>) => void;

/** A bind that failed for a transient reason is tried again after this long. */
const TRANSIENT_RETRY_MS = 1000;

interface Holding {
  sockets: HeldSocket[];
  /** The tail of this vassal's job chain. */
  queue: Promise<void>;
  released: boolean;
}

const specKey = (s: SocketSpec): string => JSON.stringify(s);

export class SocketHolder {
  readonly #vassals = new Map<string, Holding>();
  readonly #bind: SocketBinder;
  readonly #report: Report;

  constructor(bind: SocketBinder, report: Report) {
    this.#bind = bind;
    this.#report = report;
  }

  // Makes the vassal's held sockets match `specs`: keeps equal ones, closes the rest, binds new ones.
  hold(name: string, key: string, specs: readonly SocketSpec[]): void {
    let h = this.#vassals.get(name);
    if (!h) {
      h = { sockets: [], queue: Promise.resolve(), released: false };
      this.#vassals.set(name, h);
    }
    const holding = h;
    // Nothing may reject unowned: a failure of the job itself is the vassal's socket failure.
    holding.queue = holding.queue
      .then(() => this.#match(name, holding, key, specs))
      .catch((err: unknown) => this.#failed(name, holding, key, err));
  }

  /** The fds to hand to a new instance, in the spec's order. */
  fds(name: string): { name: string; fd: number }[] {
    return (this.#vassals.get(name)?.sockets ?? []).map((s) => ({ name: s.spec.name, fd: s.fd }));
  }

  /** The vassal is gone: close its sockets now, and any a running job still binds. */
  release(name: string): void {
    const h = this.#vassals.get(name);
    if (!h) return;
    this.#vassals.delete(name);
    h.released = true;
    for (const s of h.sockets) s.close();
    h.sockets = [];
  }

  releaseAll(): void {
    for (const name of [...this.#vassals.keys()]) this.release(name);
  }

  async #match(name: string, h: Holding, key: string, specs: readonly SocketSpec[]): Promise<void> {
    if (h.released) return;
    const wanted = new Set(specs.map(specKey));
    const keep = h.sockets.filter((s) => wanted.has(specKey(s.spec)));
    for (const s of h.sockets) if (!keep.includes(s)) s.close();
    h.sockets = keep;
    const have = new Set(keep.map((s) => specKey(s.spec)));
    let fresh: HeldSocket[];
    try {
      fresh = await this.#bind(specs.filter((s) => !have.has(specKey(s))));
    } catch (err) {
      this.#failed(name, h, key, err);
      return;
    }
    if (h.released) {
      for (const s of fresh) s.close();
      return;
    }
    const byKey = new Map([...keep, ...fresh].map((s) => [specKey(s.spec), s]));
    h.sockets = specs.map((s) => byKey.get(specKey(s))).filter((s): s is HeldSocket => s !== undefined);
    this.#report(name, { type: 'sockets-held', key, addresses: h.sockets.map((s) => ({ name: s.spec.name, address: s.address })) });
  }

  // A transient failure (EMFILE …) is retried a second later; any other waits for a change or `start`.
  #failed(name: string, h: Holding, key: string, err: unknown): void {
    if (h.released) return;
    const errno = transientErrno(err);
    const message = err instanceof Error ? err.message : String(err);
    this.#report(name, { type: 'sockets-failed', key, error: errno ? `${message} (transient, retrying; ${nofileHint()})` : message, transient: errno !== null });
    if (errno) setTimeout(() => this.#report(name, { type: 'retry' }), TRANSIENT_RETRY_MS).unref();
  }
}
