// Fleet singleton claims on etcd, all on the node's one lease (node-lease.ts). A claim is the
// key `claims/NAME`, created in a transaction only if it is absent, with this node's lease: the
// node that created it holds the singleton until it deletes the key or its lease expires.
// The core hears the outcome as events: fleet-granted (again at each renewal of the node's
// lease, with fresh deadlines) and fleet-standby (who holds it, or why it cannot be had).
//
// A claim whose deadlines run out is not deleted: the instance may still be stopping, so the
// key is left to expire with the lease. If the lease turns out to be alive after all (a late
// renewal), the key is still this node's and the claim is granted again.
//
// One watch on `claims/` tells every node at once when a key goes, so a standby node takes
// over without waiting; a read of the prefix every half TTL repairs anything a watch missed.
import type { Watcher } from 'etcd3';
import type { VassalEvent } from '../../core/events.js';
import type { Clock } from '../clock.js';
import type { FenceGuard } from './fence-guard.js';
import { claimDeadlines } from './fleet-timing.js';
import { monotonicMs, msToMonotonicNs } from './monotonic.js';
import type { FleetNodeContext } from './fleet-node.js';
import { etcdErrorText } from '../../lib/etcd-error.js';

const RETRY_MS = 1000;
// Claims that start an instance when granted, granted this many per turn of the event loop:
// a spawn costs the emperor milliseconds (tens under load), and 200 at once would hold back the
// lease's renewals until every claim on it lapsed.
const STARTS_PER_TURN = 8;
export const CLAIMS_PREFIX = 'claims/';

/** Claims live under `claims/NAME` in the fleet's namespace. */
export interface FleetClaimsDeps extends FleetNodeContext {
  readonly guard: FenceGuard;
  readonly clock: Clock;
  readonly report: (name: string, event: VassalEvent) => void;
  readonly warn: (message: string, name?: string) => void;
}

/** What a claim's key holds. */
interface ClaimValue {
  readonly node: string;
}

interface Claim {
  readonly name: string;
  /** The node lease the key `claims/NAME` is on, when it is this node's (null: not ours). */
  ownedOn: string | null;
  /** Granted to the core and not lapsed since. */
  granted: boolean;
  /** A create transaction is in flight. */
  trying: boolean;
  /** A create transaction failed without an answer: it may have created the key after all. */
  unsure: boolean;
  /** The etcd revision of the latest news applied: older news (a slow read) is ignored. */
  rev: number;
  /** The standby last reported, so that the core hears each change once. */
  shown: string | null;
}

export class FleetClaims {
  readonly #deps: FleetClaimsDeps;
  readonly #claims = new Map<string, Claim>();
  #guard: FenceGuard;
  #lapseTimer: NodeJS.Timeout | null = null;
  #resync: NodeJS.Timeout;
  #watcher: Watcher | null = null;
  #closed = false;
  /** The node lease whose first renewal was seen: claims waiting for a lease are tried then. */
  #leaseSeen: string | null = null;
  /** Deletes of released claims still in flight: a new claim of the name waits for its own. */
  readonly #releasing = new Map<string, Promise<unknown>>();
  /** Owned claims not granted yet (a grant starts an instance): granted a few per turn. */
  readonly #toStart = new Set<Claim>();
  #startTurn: NodeJS.Immediate | null = null;

  constructor(deps: FleetClaimsDeps) {
    this.#deps = deps;
    this.#guard = deps.guard;
    deps.lease.listen({
      renewed: (id, validUntil) => this.#renewed(id, validUntil),
      failed: () => undefined, // the deadlines take care of renewals that do not come
      lost: (id, err) => this.#leaseLost(id, err),
    });
    this.#watch();
    this.#resync = setInterval(() => void this.#readAll(), deps.ttlMs / 2);
  }

  claim(name: string): void {
    if (this.#claims.has(name)) return;
    const c: Claim = { name, ownedOn: null, granted: false, trying: false, unsure: false, rev: 0, shown: null };
    this.#claims.set(name, c);
    this.#try(c);
  }

  /** The vassal no longer runs here (its instances are gone): hand the claim over at once. */
  release(name: string): void {
    const c = this.#claims.get(name);
    if (!c) return;
    this.#claims.delete(name);
    this.#guard.release(name);
    // Deleted only while it is still on this node's lease: never another node's key. Also
    // when the claim is not known to be ours: a create whose answer was lost may have made it.
    // Unreachable etcd: the key expires with the lease.
    const lease = c.ownedOn ?? this.#deps.lease.id;
    if (lease === null) return;
    const done = this.#deleteIfOn(this.#key(name), lease).finally(() => {
      if (this.#releasing.get(name) === done) this.#releasing.delete(name);
    });
    this.#releasing.set(name, done);
  }

  /** A new process group of a fleet singleton: the guard kills it when the claim runs out. */
  guardGroup(name: string, pgid: number): void {
    this.#guard.group(name, pgid);
  }

  /** A new guard replaces one that died: it knows nothing yet, so it kills what it is given at once. */
  replaceGuard(guard: FenceGuard): void {
    this.#guard = guard;
  }

  /** The guard is gone: no claim may be trusted any longer (the keys stay; a renewal grants them again). */
  lapseAll(reason: string): void {
    this.#lapse(reason, monotonicMs());
  }

  /** At exit, once every instance is stopped (the node's lease is revoked after this). */
  releaseAll(): void {
    this.#closed = true;
    clearInterval(this.#resync);
    if (this.#lapseTimer) clearTimeout(this.#lapseTimer);
    if (this.#startTurn) clearImmediate(this.#startTurn);
    this.#toStart.clear();
    void this.#watcher?.cancel().catch(() => undefined);
    for (const name of [...this.#claims.keys()]) this.release(name);
  }

  #key(name: string): string {
    return `${CLAIMS_PREFIX}${name}`;
  }

  // Creates the key if it is absent, on the node's lease; otherwise learns who holds it.
  #try(c: Claim): void {
    const id = this.#deps.lease.id;
    if (c.trying || c.ownedOn !== null || id === null || this.#closed) return; // a grant of the lease tries again
    const releasing = this.#releasing.get(c.name);
    if (releasing) return void releasing.then(() => this.#try(c));
    const { ns, node } = this.#deps;
    const key = this.#key(c.name);
    const value: ClaimValue = { node };
    c.trying = true;
    ns.if(key, 'Create', '==', 0)
      .then(ns.put(key).value(JSON.stringify(value)).lease(id))
      .else(ns.get(key))
      .options({ deadline: Date.now() + this.#deps.ttlMs / 3 })
      .commit()
      .then(
        (res) => {
          c.trying = false;
          if (this.#claims.get(c.name) !== c) {
            if (res.succeeded) void this.#deleteIfOn(key, id);
            return;
          }
          const rev = Number(res.header.revision);
          if (res.succeeded) {
            c.rev = Math.max(c.rev, rev);
            return this.#owned(c, id);
          }
          const kv = res.responses[0]?.response_range?.kvs?.[0];
          if (!kv) return void setTimeout(() => this.#try(c), RETRY_MS); // deleted in between
          this.#seen(c, rev, String(kv.lease), kv.value.toString());
        },
        (err: unknown) => {
          c.trying = false;
          c.unsure = true;
          if (this.#claims.get(c.name) !== c) return;
          // Perhaps created after all (an answer lost): the next read of the prefix finds out.
          this.#standby(c, null, `cannot claim in etcd: ${etcdErrorText(err)}`);
          setTimeout(() => this.#try(c), RETRY_MS);
        },
      );
  }

  // Deletes the key only while it is on lease `id` (this node's): never another node's key.
  #deleteIfOn(key: string, id: string): Promise<unknown> {
    const { ns } = this.#deps;
    return ns.if(key, 'Lease', '==', id).then(ns.delete().key(key)).commit().catch(() => undefined);
  }

  // The key is this node's, on lease `id`: granted as soon as the lease's deadlines allow.
  #owned(c: Claim, id: string): void {
    if (this.#deps.lease.id !== id) return; // that lease is already gone: try on the new one
    c.ownedOn = id;
    this.#start(c);
  }

  // A claim whose grant starts an instance: queued, and granted a few per turn of the loop, each
  // on the lease's deadlines as they are when its turn comes.
  #start(c: Claim): void {
    this.#toStart.add(c);
    if (this.#startTurn === null) this.#startTurn = setImmediate(() => this.#startSome());
  }

  #startSome(): void {
    this.#startTurn = null;
    let started = 0;
    for (const c of this.#toStart) {
      if (started >= STARTS_PER_TURN) break;
      this.#toStart.delete(c);
      const { id, validUntil } = this.#deps.lease;
      if (this.#closed || this.#claims.get(c.name) !== c || c.ownedOn === null || c.ownedOn !== id || validUntil === null) continue;
      if (this.#grant(c, validUntil)) started++;
    }
    if (this.#toStart.size > 0 && !this.#closed) this.#startTurn = setImmediate(() => this.#startSome());
  }

  // The key as etcd had it at revision `rev` (a read, a watch): this node's own, or another's.
  #seen(c: Claim, rev: number, lease: string, text: string): void {
    if (rev < c.rev) return;
    c.rev = rev;
    if (lease === this.#deps.lease.id) {
      // Ours without a create that succeeded: only an unanswered create may have made it; anything
      // else is a key of a released claim whose delete is on its way.
      if (c.ownedOn === null && c.unsure) this.#owned(c, lease);
      else if (c.ownedOn === null) setTimeout(() => this.#try(c), RETRY_MS);
      return;
    }
    c.unsure = false;
    if (c.ownedOn !== null) this.#gone(c, 'the fleet claim was taken over in etcd');
    let holder: string | null = null;
    try {
      holder = (JSON.parse(text) as ClaimValue).node;
    } catch {
      holder = null;
    }
    this.#standby(c, holder, holder === null ? 'held by another node' : `held by ${holder}`);
  }

  // The key is gone (deleted, or its lease expired): whoever creates it first holds it.
  #absent(c: Claim, rev: number): void {
    if (rev < c.rev) return;
    c.rev = rev;
    c.unsure = false;
    if (c.ownedOn !== null) this.#gone(c, 'the fleet claim is gone from etcd');
    this.#try(c);
  }

  // This node's key is no longer there: whatever runs stops at once (the lease is expiring or gone).
  #gone(c: Claim, reason: string): void {
    c.ownedOn = null;
    const now = monotonicMs();
    if (c.granted) this.#lose(c, reason, Math.min(now, this.#killBy() ?? now));
  }

  #renewed(id: string, validUntil: number): void {
    const now = monotonicMs();
    const { renewBy } = claimDeadlines(validUntil, this.#deps.ttlMs);
    if (now >= renewBy) return; // the lapse timer decided already
    // A new lease: the claims that could not be tried without one are tried now (once: a claim
    // held elsewhere is tried again when its key goes, not at every renewal).
    const fresh = this.#leaseSeen !== id;
    this.#leaseSeen = id;
    for (const c of this.#claims.values()) {
      // What runs gets its new deadlines now (cheap); what would start waits for its turn.
      if (c.ownedOn === id) {
        if (c.granted) this.#grant(c, validUntil);
        else this.#start(c);
      } else if (fresh && c.ownedOn === null) this.#try(c);
    }
    if (this.#lapseTimer) clearTimeout(this.#lapseTimer);
    // Timed from now, not from before the loop: granting can take long (each grant may spawn).
    this.#lapseTimer = setTimeout(() => this.#lapse('the fleet claim was not renewed in time (etcd unreachable or slow)', this.#killBy() ?? monotonicMs()), Math.max(0, renewBy - monotonicMs()));
  }

  // Reports the claim's fresh deadlines (and tells the guard first). The time is read here, at
  // each grant: a grant reaches the core at once and may spawn, which takes long on a loaded
  // host, so a `now` read before a loop of grants would be stale by all the spawns before it,
  // and the core would take a claim that has run out for a live one.
  #grant(c: Claim, validUntil: number): boolean {
    const { renewBy, killBy } = claimDeadlines(validUntil, this.#deps.ttlMs);
    if (monotonicMs() >= renewBy) return false;
    this.#guard.deadline(c.name, msToMonotonicNs(killBy));
    c.granted = true;
    c.shown = null;
    this.#deps.report(c.name, { type: 'fleet-granted', renewBy: this.#toClock(renewBy), killBy: this.#toClock(killBy) });
    return true;
  }

  // Every granted claim lapses: stop by killBy. The keys stay on the lease (see the top).
  #lapse(reason: string, killBy: number): void {
    this.#lapseTimer = null;
    for (const c of this.#claims.values()) if (c.granted) this.#lose(c, reason, killBy);
  }

  #lose(c: Claim, reason: string, killBy: number): void {
    this.#guard.deadline(c.name, msToMonotonicNs(killBy));
    this.#deps.report(c.name, { type: 'fleet-standby', holder: null, reason, killBy: this.#toClock(killBy) });
    if (c.granted) this.#deps.warn(`fleet claim lost: ${reason}`, c.name);
    c.granted = false;
    c.shown = reason;
  }

  #leaseLost(id: string | null, err: Error): void {
    if (this.#lapseTimer) clearTimeout(this.#lapseTimer);
    this.#lapseTimer = null;
    for (const c of this.#claims.values()) {
      if (id !== null && c.ownedOn !== id) continue;
      c.ownedOn = null;
      if (c.granted) this.#lose(c, `etcd: ${etcdErrorText(err)}`, Math.min(monotonicMs(), this.#killBy() ?? monotonicMs()));
    }
  }

  // The node lease's killBy (monotonic ms), from its last confirmed renewal.
  #killBy(): number | null {
    const validUntil = this.#deps.lease.validUntil;
    return validUntil === null ? null : claimDeadlines(validUntil, this.#deps.ttlMs).killBy;
  }

  // One watch for every claim of the fleet: a key that goes wakes the nodes that want it.
  #watch(): void {
    this.#deps.ns
      .watch()
      .prefix(CLAIMS_PREFIX)
      .create()
      .then(
        (watcher) => {
          if (this.#closed) return void watcher.cancel().catch(() => undefined);
          this.#watcher = watcher;
          watcher.on('put', (kv) => {
            const c = this.#claims.get(this.#nameOf(kv.key.toString()));
            if (c) this.#seen(c, Number(kv.mod_revision), String(kv.lease), kv.value.toString());
          });
          watcher.on('delete', (kv) => {
            const c = this.#claims.get(this.#nameOf(kv.key.toString()));
            if (c) this.#absent(c, Number(kv.mod_revision));
          });
          watcher.on('connected', () => void this.#readAll());
          watcher.on('error', () => undefined); // the resync covers what it misses
        },
        () => {
          if (!this.#closed) setTimeout(() => this.#watch(), RETRY_MS);
        },
      );
  }

  #nameOf(key: string): string {
    const at = key.indexOf(CLAIMS_PREFIX);
    return at < 0 ? key : key.slice(at + CLAIMS_PREFIX.length);
  }

  // Reads every claim key (one range read, no write) and catches up with what etcd has.
  async #readAll(): Promise<void> {
    if (this.#closed || this.#claims.size === 0) return;
    let kvs;
    try {
      kvs = await this.#deps.ns.getAll().prefix(CLAIMS_PREFIX).options({ deadline: Date.now() + this.#deps.ttlMs / 3 }).exec();
    } catch {
      return; // etcd unreachable: the deadlines take care of held claims
    }
    const rev = Number(kvs.header.revision);
    const found = new Map(kvs.kvs.map((kv) => [this.#nameOf(kv.key.toString()), kv]));
    for (const c of this.#claims.values()) {
      if (c.trying) continue;
      const kv = found.get(c.name);
      if (kv) this.#seen(c, rev, String(kv.lease), kv.value.toString());
      else this.#absent(c, rev);
    }
  }

  #standby(c: Claim, holder: string | null, reason: string): void {
    const key = `${holder ?? ''}\n${reason}`;
    if (c.shown === key) return;
    c.shown = key;
    this.#deps.report(c.name, { type: 'fleet-standby', holder, reason, killBy: null });
  }

  // A monotonic time as the core's clock reads it (both clocks read together, now).
  #toClock(monotonic: number): number {
    return this.#deps.clock() + (monotonic - monotonicMs());
  }
}
