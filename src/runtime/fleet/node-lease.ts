// The node's one lease in etcd. Its registration (`nodes/NODE`) and every fleet claim it holds
// (`claims/NAME`) live on it, so a node costs etcd one lease and one renewal every T/5 however
// many singletons it runs. When etcd says the lease is gone (expired, revoked), a new one is
// granted after a second; everything that was on the old one is gone with it.
import type { Lease, Namespace } from 'etcd3';
import { LeaseRenewer } from './lease-renewer.js';
import { monotonicMs } from './monotonic.js';

const RETRY_MS = 1000;

export interface NodeLeaseListener {
  /** etcd confirmed the lease `id`: it lives at least until `validUntil` (monotonic ms). */
  renewed(id: string, validUntil: number): void;
  /** A renewal failed (etcd unreachable, slow): the deadlines decide what that means. */
  failed(err: Error): void;
  /** The lease `id` is gone in etcd, with every key on it; a new one follows. */
  lost(id: string | null, err: Error): void;
}

export class NodeLease {
  readonly #ns: Namespace;
  readonly #ttlMs: number;
  readonly #listeners: NodeLeaseListener[] = [];
  #lease: Lease | null = null;
  #id: string | null = null;
  #renewer: LeaseRenewer | null = null;
  #retry: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(ns: Namespace, ttlMs: number) {
    this.#ns = ns;
    this.#ttlMs = ttlMs;
    this.#grant();
  }

  listen(listener: NodeLeaseListener): void {
    this.#listeners.push(listener);
  }

  /** The lease's id once granted (and until it is lost). */
  get id(): string | null {
    return this.#id;
  }

  /** The lower bound of the lease's expiry (monotonic ms); null before a grant. */
  get validUntil(): number | null {
    return this.#id === null ? null : (this.#renewer?.validUntil ?? null);
  }

  get lease(): Lease | null {
    return this.#id === null ? null : this.#lease;
  }

  /** At exit: the lease is revoked, so its keys (registration and claims) go at once. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#renewer?.stop();
    await this.#lease?.revoke({ deadline: Date.now() + 2000 }).catch(() => undefined);
  }

  #grant(): void {
    this.#retry = null;
    if (this.#closed) return;
    const asked = monotonicMs();
    const lease = this.#ns.lease(Math.ceil(this.#ttlMs / 1000), { autoKeepAlive: false });
    lease.on('lost', () => undefined); // reported through the renewer
    this.#lease = lease;
    this.#id = null;
    lease.grant().then(
      (id) => {
        if (this.#lease === lease) this.#id = id;
      },
      () => undefined, // the renewer reports it
    );
    this.#renewer = new LeaseRenewer(
      lease,
      this.#ttlMs,
      {
        renewed: (validUntil) => {
          if (this.#lease !== lease) return;
          void lease.grant().then((id) => {
            if (this.#lease !== lease) return;
            this.#id = id;
            for (const l of this.#listeners) l.renewed(id, validUntil);
          });
        },
        failed: (err) => {
          for (const l of this.#listeners) l.failed(err);
        },
        lost: (err) => {
          if (this.#lease !== lease) return;
          const id = this.#id;
          this.#id = null;
          for (const l of this.#listeners) l.lost(id, err);
          if (!this.#closed) this.#retry = setTimeout(() => this.#grant(), RETRY_MS);
        },
      },
      asked,
    );
  }
}
