// This emperor's registration in the fleet: `nodes/NODE` under the prefix, on the node's lease
// (node-lease.ts), holding the node's vassals (so that `emperor status --fleet` on any node can
// list every node). Whether etcd is reachable is read from the renewals of that lease.
import type { FleetNode, FleetVassal } from '../../core/status.js';
import type { Clock } from '../clock.js';
import { monotonicMs } from './monotonic.js';
import type { FleetNodeContext } from './fleet-node.js';
import { etcdErrorText } from '../../lib/etcd-error.js';

const PUBLISH_EVERY_MS = 1000;
export const NODES_PREFIX = 'nodes/';

export interface MembershipDeps extends FleetNodeContext {
  readonly clock: Clock;
  readonly startedAt: number;
  readonly vassals: () => FleetVassal[];
  /** Connected to etcd, or not: called on each change. */
  readonly connectivity: (connected: boolean, why: string) => void;
}

export class FleetMembership {
  readonly #deps: MembershipDeps;
  /** The lease id the record was last written on, and what it said. */
  #published: { lease: string; body: string } | null = null;
  #connected = false;
  #timer: NodeJS.Timeout;
  #closed = false;
  #lastError = 'no renewal confirmed in time';
  /** The last write of the record (resolved once etcd answered, either way). */
  #writing: Promise<void> = Promise.resolve();

  constructor(deps: MembershipDeps) {
    this.#deps = deps;
    deps.lease.listen({
      renewed: () => {
        const connected = this.connected;
        this.#setConnected(connected, connected ? 'registration renewed' : 'a renewal was confirmed too late (etcd or this emperor is slow)');
        void this.#publish();
      },
      failed: (err) => {
        this.#lastError = etcdErrorText(err);
      },
      lost: (_id, err) => this.#setConnected(false, `registration lost: ${etcdErrorText(err)}`),
    });
    this.#timer = setInterval(() => {
      this.#setConnected(this.connected, this.#lastError);
      void this.#publish();
    }, PUBLISH_EVERY_MS);
  }

  /**
   * Connected while etcd confirmed the node's lease recently: its validUntil is more than
   * 0.4 TTL ahead, the same margin as a claim's renewBy. One failed renewal (a member that
   * just died, before the client moves to another) is not a disconnection.
   */
  get connected(): boolean {
    const until = this.#deps.lease.validUntil;
    return until !== null && until - 0.4 * this.#deps.ttlMs > monotonicMs();
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

  /**
   * Writes the node's record now if it changed, and resolves once etcd has it (or the write
   * failed): what another node reads next is this node as it is now.
   */
  publishNow(): Promise<void> {
    return this.#publish();
  }

  /** At exit (the node's lease, revoked after this, takes the record with it). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }

  #setConnected(connected: boolean, why: string): void {
    if (connected === this.#connected) return;
    this.#connected = connected;
    this.#deps.connectivity(connected, why);
  }

  // Writes the node's record when it changed, and on each new lease.
  #publish(): Promise<void> {
    const { lease } = this.#deps;
    const id = lease.id;
    if (id === null || this.#closed || lease.validUntil === null) return Promise.resolve();
    const vassals = this.#deps.vassals();
    const body = JSON.stringify(vassals);
    // Unchanged: the write of this very record, perhaps still on its way.
    if (this.#published?.lease === id && this.#published.body === body) return this.#writing;
    const record: FleetNode = { node: this.#deps.node, pid: process.pid, startedAt: this.#deps.startedAt, publishedAt: this.#deps.clock(), vassals };
    const published = { lease: id, body };
    this.#published = published;
    // One write at a time, in order: etcd serves concurrent requests in any order, so a slow
    // write of an older record (a tick's "dancing") could land after the newer one ("running")
    // and stay, since the newer body counts as written. A roll planned right after a dance then
    // left that node out (seen once in CI).
    const write = async (): Promise<void> => {
      try {
        await this.#deps.ns
          .put(`${NODES_PREFIX}${this.#deps.node}`)
          .value(JSON.stringify(record))
          .lease(id)
          .options({ deadline: Date.now() + this.#deps.ttlMs / 3 })
          .exec();
      } catch {
        if (this.#published === published) this.#published = null; // written again at the next tick
      }
    };
    this.#writing = this.#writing.then(write);
    return this.#writing;
  }
}
