// Renews an etcd lease one request at a time and knows, conservatively, until when it is valid.
//
// etcd sets a lease's expiry to (the moment it handles a renewal) + TTL, and that moment comes
// after the request left here. So the time just before a request was sent, plus the TTL in
// its answer, is a lower bound of the expiry, measured on this host's monotonic clock. Each
// request goes alone (keepaliveOnce, one stream per request) so every answer pairs exactly
// with its own send time; the library's own streamed keepalives, where an answer cannot be
// paired with its request, may also run: they only make the real expiry later.
import { EtcdLeaseInvalidError, type Lease } from 'etcd3';
import { renewEvery } from './fleet-timing.js';
import { monotonicMs } from './monotonic.js';

/** Renewals in flight at most: more would only pile up on an etcd that does not answer. */
const MAX_OUTSTANDING = 3;

export interface RenewerEvents {
  /** The lease is valid at least until this monotonic time (ms). */
  renewed(validUntil: number): void;
  /** A renewal failed (etcd unreachable, timeout); the next one follows. */
  failed(err: Error): void;
  /** etcd says the lease is gone (expired or revoked), or it was never granted. */
  lost(err: Error): void;
}

export class LeaseRenewer {
  readonly #lease: Lease;
  readonly #ttlMs: number;
  readonly #events: RenewerEvents;
  #validUntil: number | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #outstanding = 0;

  /** `grantAskedAt`: when the lease's grant was requested, if before this call (monotonic ms). */
  constructor(lease: Lease, ttlMs: number, events: RenewerEvents, grantAskedAt = monotonicMs()) {
    this.#lease = lease;
    this.#ttlMs = ttlMs;
    this.#events = events;
    const asked = grantAskedAt;
    lease.grant().then(
      () => {
        this.#extend(asked + ttlMs);
        this.#schedule();
      },
      (err: unknown) => this.#lose(err as Error),
    );
  }

  /** The lower bound of the lease's expiry (monotonic ms); null before it was granted. */
  get validUntil(): number | null {
    return this.#validUntil;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => this.#renew(), renewEvery(this.#ttlMs));
  }

  // One renewal; the next is scheduled now, not when this one is answered: an answer that
  // never comes (a stream that ends without one) must not stop the renewals. A late answer
  // still counts, from its own send time.
  #renew(): void {
    if (this.#stopped) return;
    this.#schedule();
    if (this.#outstanding >= MAX_OUTSTANDING) return;
    this.#outstanding++;
    const sent = monotonicMs();
    this.#lease
      .keepaliveOnce({ deadline: Date.now() + this.#ttlMs / 2 })
      .then(
        (res) => this.#extend(sent + Math.min(this.#ttlMs, Number(res.TTL) * 1000)),
        (err: unknown) => {
          if (this.#stopped) return;
          if (err instanceof EtcdLeaseInvalidError) this.#lose(err);
          else this.#events.failed(err as Error);
        },
      )
      .finally(() => this.#outstanding--);
  }

  #extend(until: number): void {
    if (this.#stopped) return;
    if (this.#validUntil === null || until > this.#validUntil) this.#validUntil = until;
    this.#events.renewed(this.#validUntil);
  }

  #lose(err: Error): void {
    if (this.#stopped) return;
    this.stop();
    this.#events.lost(err);
  }
}
