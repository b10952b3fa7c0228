// Fleet singleton claims on etcd: one election per vassal (etcd3's Election, the recipe of
// etcd's own concurrency package), campaigned for with this node's name. The core hears the
// outcome as events: fleet-granted (again at each renewal, with fresh deadlines) and
// fleet-standby (who holds it, or why it cannot be had). Losing the claim never revokes its
// lease: the lease is left to expire in etcd, after this node's instance is dead.
import type { Campaign, Election, ElectionObserver, Lease, Namespace } from 'etcd3';
import type { VassalEvent } from '../../core/events.js';
import type { Clock } from '../clock.js';
import type { FenceGuard } from './fence-guard.js';
import { claimDeadlines } from './fleet-timing.js';
import { LeaseRenewer } from './lease-renewer.js';
import { monotonicMs, msToMonotonicNs } from './monotonic.js';

const RETRY_MS = 1000;

export interface FleetClaimsDeps {
  /** The fleet's namespace (the prefix): elections live under `election/NAME/`. */
  readonly ns: Namespace;
  readonly node: string;
  readonly ttlMs: number;
  readonly guard: FenceGuard;
  readonly clock: Clock;
  readonly report: (name: string, event: VassalEvent) => void;
  readonly warn: (message: string, name?: string) => void;
}

interface Claim {
  readonly name: string;
  readonly election: Election;
  campaign: Campaign | null;
  renewer: LeaseRenewer | null;
  elected: boolean;
  /** The elected campaign's killBy (monotonic ms): what a loss must respect. */
  killBy: number | null;
  lapseTimer: NodeJS.Timeout | null;
  retryTimer: NodeJS.Timeout | null;
  observer: ElectionObserver | null;
  /** The standby last reported, so that the core hears each change once. */
  shown: string | null;
}

// etcd3's Campaign keeps its lease private; the fence needs it to know the lease's deadline.
function leaseOf(campaign: Campaign): Lease {
  const lease = (campaign as unknown as { lease?: Lease }).lease;
  if (!lease || typeof lease.keepaliveOnce !== 'function') throw new Error('etcd3: Campaign has no lease (the etcd3 version is not supported)');
  return lease;
}

export class FleetClaims {
  readonly #deps: FleetClaimsDeps;
  readonly #claims = new Map<string, Claim>();
  #guard: FenceGuard;

  constructor(deps: FleetClaimsDeps) {
    this.#deps = deps;
    this.#guard = deps.guard;
  }

  claim(name: string): void {
    if (this.#claims.has(name)) return;
    const ttlSeconds = Math.ceil(this.#deps.ttlMs / 1000);
    const c: Claim = { name, election: this.#deps.ns.election(name, ttlSeconds), campaign: null, renewer: null, elected: false, killBy: null, lapseTimer: null, retryTimer: null, observer: null, shown: null };
    this.#claims.set(name, c);
    this.#campaign(c);
    this.#observe(c);
  }

  /** The vassal no longer runs here (its instances are gone): hand the claim over at once. */
  release(name: string): void {
    const c = this.#claims.get(name);
    if (!c) return;
    this.#claims.delete(name);
    this.#clearTimers(c);
    c.renewer?.stop();
    c.campaign?.resign().catch(() => undefined); // revokes the lease; unreachable etcd: it expires
    void c.observer?.cancel().catch(() => undefined);
    this.#guard.release(name);
  }

  /** A new process group of a fleet singleton: the guard kills it when the claim runs out. */
  guardGroup(name: string, pgid: number): void {
    this.#guard.group(name, pgid);
  }

  /** A new guard replaces one that died: it knows nothing yet, so it kills what it is given at once. */
  replaceGuard(guard: FenceGuard): void {
    this.#guard = guard;
  }

  /** The guard is gone: no claim may be trusted any longer. */
  lapseAll(reason: string): void {
    for (const c of this.#claims.values()) if (c.elected) this.#lose(c, reason, monotonicMs());
  }

  /** At exit, once every instance is stopped. */
  releaseAll(): void {
    for (const name of [...this.#claims.keys()]) this.release(name);
  }

  #campaign(c: Claim): void {
    c.retryTimer = null;
    const asked = monotonicMs();
    const campaign = c.election.campaign(this.#deps.node);
    c.campaign = campaign;
    c.elected = false;
    const current = (): boolean => this.#claims.get(c.name) === c && c.campaign === campaign;
    c.renewer = new LeaseRenewer(
      leaseOf(campaign),
      this.#deps.ttlMs,
      {
        renewed: () => {
          if (current() && c.elected) this.#grant(c);
        },
        failed: () => undefined, // the deadlines take care of renewals that do not come
        lost: (err) => {
          if (current()) this.#failed(c, err);
        },
      },
      asked,
    );
    campaign.on('elected', () => {
      if (!current()) return;
      c.elected = true;
      this.#grant(c);
    });
    campaign.on('error', (err: Error) => {
      if (current()) this.#failed(c, err);
    });
  }

  // Reports the claim's fresh deadlines (and tells the guard), unless it is already too late.
  #grant(c: Claim): void {
    const validUntil = c.renewer?.validUntil;
    if (validUntil === null || validUntil === undefined) return;
    const { renewBy, killBy } = claimDeadlines(validUntil, this.#deps.ttlMs);
    const now = monotonicMs();
    if (now >= renewBy) return; // the lapse timer (or the next renewal) decides
    this.#guard.deadline(c.name, msToMonotonicNs(killBy));
    c.killBy = killBy;
    c.shown = null;
    this.#deps.report(c.name, { type: 'fleet-granted', renewBy: this.#toClock(renewBy, now), killBy: this.#toClock(killBy, now) });
    if (c.lapseTimer) clearTimeout(c.lapseTimer);
    c.lapseTimer = setTimeout(() => this.#lose(c, 'the fleet claim was not renewed in time (etcd unreachable or slow)', c.killBy ?? monotonicMs()), renewBy - now);
  }

  // The held claim is lost: stop here by killBy, let the old lease expire on its own, and
  // campaign again (the new campaign queues behind the old key until it expires).
  #lose(c: Claim, reason: string, killBy: number): void {
    const now = monotonicMs();
    this.#guard.deadline(c.name, msToMonotonicNs(killBy));
    this.#deps.report(c.name, { type: 'fleet-standby', holder: null, reason, killBy: this.#toClock(killBy, now) });
    this.#deps.warn(`fleet claim lost: ${reason}`, c.name);
    c.shown = reason;
    const campaign = c.campaign;
    if (campaign) leaseOf(campaign).release(); // passive: no revoke, it expires after killBy
    this.#abandon(c);
  }

  #failed(c: Claim, err: Error): void {
    if (c.elected) {
      // etcd says the lease is gone, or the campaign broke: nothing may run here from now on.
      this.#lose(c, `etcd: ${err.message}`, Math.min(c.killBy ?? monotonicMs(), monotonicMs()));
      return;
    }
    c.campaign?.resign().catch(() => undefined); // never elected: nothing runs under it
    this.#standby(c, null, `cannot campaign in etcd: ${err.message}`);
    this.#abandon(c);
  }

  #abandon(c: Claim): void {
    this.#clearTimers(c);
    c.renewer?.stop();
    c.renewer = null;
    c.campaign = null;
    c.elected = false;
    c.retryTimer = setTimeout(() => this.#campaign(c), RETRY_MS);
  }

  // Follows the election's leader, to show `standby (held by NODE)`.
  #observe(c: Claim): void {
    c.election.observe().then(
      (observer) => {
        if (this.#claims.get(c.name) !== c) {
          void observer.cancel().catch(() => undefined);
          return;
        }
        c.observer = observer;
        const show = (): void => {
          const leader = observer.leader() ?? null;
          if (!c.elected) this.#standby(c, leader, leader === null ? 'no node holds it' : `held by ${leader}`);
        };
        show();
        observer.on('change', show);
        observer.on('error', () => {
          c.observer = null;
          setTimeout(() => this.#observeIfClaimed(c), RETRY_MS);
        });
      },
      () => setTimeout(() => this.#observeIfClaimed(c), RETRY_MS),
    );
  }

  #observeIfClaimed(c: Claim): void {
    if (this.#claims.get(c.name) === c) this.#observe(c);
  }

  #standby(c: Claim, holder: string | null, reason: string): void {
    const key = `${holder ?? ''}\n${reason}`;
    if (c.shown === key) return;
    c.shown = key;
    this.#deps.report(c.name, { type: 'fleet-standby', holder, reason, killBy: null });
  }

  #clearTimers(c: Claim): void {
    if (c.lapseTimer) clearTimeout(c.lapseTimer);
    if (c.retryTimer) clearTimeout(c.retryTimer);
    c.lapseTimer = null;
    c.retryTimer = null;
  }

  // A monotonic time as the core's clock reads it.
  #toClock(monotonic: number, now: number): number {
    return this.#deps.clock() + (monotonic - now);
  }
}
