// This emperor's registration in the fleet: `nodes/NODE` under the prefix, written with a lease
// of its own, holding the node's vassals (so that `emperor status --fleet` on any node can list
// every node). Whether etcd is reachable is read from the renewals of that lease.
import type { Lease, Namespace } from 'etcd3';
import type { FleetNode, FleetVassal } from '../../core/status.js';
import type { Clock } from '../clock.js';
import { LeaseRenewer } from './lease-renewer.js';
import { monotonicMs } from './monotonic.js';

const PUBLISH_EVERY_MS = 1000;
const RETRY_MS = 1000;
export const NODES_PREFIX = 'nodes/';

export interface MembershipDeps {
  readonly ns: Namespace;
  readonly node: string;
  readonly ttlMs: number;
  readonly clock: Clock;
  readonly startedAt: number;
  readonly vassals: () => FleetVassal[];
  /** Connected to etcd, or not: called on each change. */
  readonly connectivity: (connected: boolean, why: string) => void;
}

export class FleetMembership {
  readonly #deps: MembershipDeps;
  #lease: Lease | null = null;
  #renewer: LeaseRenewer | null = null;
  #published: string | null = null;
  #connected = false;
  #timer: NodeJS.Timeout;
  #retry: NodeJS.Timeout | null = null;
  #closed = false;
  #lastError = 'no renewal confirmed in time';

  constructor(deps: MembershipDeps) {
    this.#deps = deps;
    this.#register();
    this.#timer = setInterval(() => {
      this.#setConnected(this.connected, this.#lastError);
      this.#publish();
    }, PUBLISH_EVERY_MS);
  }

  /**
   * Connected while etcd confirmed the registration recently: its validUntil is more than
   * 0.4 TTL ahead, the same margin as a claim's renewBy. One failed renewal (a member that
   * just died, before the client moves to another) is not a disconnection.
   */
  get connected(): boolean {
    const until = this.#renewer?.validUntil;
    return until !== null && until !== undefined && until - 0.4 * this.#deps.ttlMs > monotonicMs();
  }

  /** Every node registered now (this one included), by name. */
  async nodes(timeoutMs: number): Promise<FleetNode[]> {
    const found = await this.#deps.ns.getAll().prefix(NODES_PREFIX).options({ deadline: Date.now() + timeoutMs }).strings();
    return Object.values(found)
      .flatMap((text) => {
        try {
          return [JSON.parse(text) as FleetNode];
        } catch {
          return [];
        }
      })
      .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  }

  /** At exit: the registration goes at once (revoked), not after the TTL. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    if (this.#retry) clearTimeout(this.#retry);
    this.#renewer?.stop();
    await this.#lease?.revoke({ deadline: Date.now() + 2000 }).catch(() => undefined);
  }

  #register(): void {
    this.#retry = null;
    if (this.#closed) return;
    const lease = this.#deps.ns.lease(Math.ceil(this.#deps.ttlMs / 1000), { autoKeepAlive: false });
    lease.on('lost', () => undefined); // reported through the renewer
    this.#lease = lease;
    this.#published = null;
    this.#renewer = new LeaseRenewer(lease, this.#deps.ttlMs, {
      renewed: () => {
        this.#setConnected(this.connected, 'registration renewed');
        if (this.#published === null) this.#publish();
      },
      failed: (err) => {
        this.#lastError = err.message;
      },
      lost: (err) => {
        this.#setConnected(false, `registration lost: ${err.message}`);
        if (!this.#closed) this.#retry = setTimeout(() => this.#register(), RETRY_MS);
      },
    });
  }

  #setConnected(connected: boolean, why: string): void {
    if (connected === this.#connected) return;
    this.#connected = connected;
    this.#deps.connectivity(connected, why);
  }

  // Writes the node's record when it changed (and after each new registration).
  #publish(): void {
    const lease = this.#lease;
    if (!lease || this.#closed || this.#renewer?.validUntil === null) return;
    const vassals = this.#deps.vassals();
    const body = JSON.stringify(vassals);
    if (body === this.#published) return;
    const record: FleetNode = { node: this.#deps.node, pid: process.pid, startedAt: this.#deps.startedAt, publishedAt: this.#deps.clock(), vassals };
    this.#published = body;
    lease
      .put(`${NODES_PREFIX}${this.#deps.node}`)
      .value(JSON.stringify(record))
      .options({ deadline: Date.now() + this.#deps.ttlMs / 3 })
      .exec()
      .catch(() => {
        if (this.#lease === lease) this.#published = null; // written again at the next tick
      });
  }
}
