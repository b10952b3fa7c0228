// One emperor's membership of a fleet on etcd: the client, the registration, the claims of
// fleet singletons and the fence guard, built together and closed together.
import { ExponentialBackoff, noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import type { Logger } from 'pino';
import type { VassalEvent } from '../../core/events.js';
import type { FleetInfo, FleetNode, FleetRollEvent, FleetVassal } from '../../core/status.js';
import type { Clock } from '../clock.js';
import { FenceGuard } from './fence-guard.js';
import { FleetClaims } from './fleet-claims.js';
import { FleetDances, type LocalDance } from './fleet-dances.js';
import { FleetMembership } from './fleet-membership.js';
import type { FleetClaimsPort } from './fleet-port.js';
import { NodeLease } from './node-lease.js';

export interface FleetOptions {
  readonly hosts: readonly string[];
  readonly node: string;
  readonly prefix: string;
  readonly ttlMs: number;
}

export interface EtcdFleetDeps {
  readonly clock: Clock;
  readonly report: (name: string, event: VassalEvent) => void;
  readonly vassals: () => FleetVassal[];
  /** A dance of one vassal here, asked by another node's rolling dance. */
  readonly dance: LocalDance;
  readonly log: Logger;
}

/** The nodes a rolling dance of a vassal goes through, in order, and those that have it but do not run it. */
export interface RollPlan {
  readonly nodes: readonly string[];
  readonly skipped: readonly { readonly node: string; readonly state: string }[];
}

// Watches reconnect within a second once etcd is back (the library's default waits up to 30 s).
const WATCH_BACKOFF = new ExponentialBackoff({ initialDelay: 100, maxDelay: 1000 }).next();
const DIAL_TIMEOUT_MS = 2000;
// No per-host circuit breaker: the library's default opens it for 5 s after 3 failed calls of
// any kind, and with a few hundred claims (each an etcd3 Election then) their cancelled watches were enough to
// open it and fail every renewal (measured: 100 singletons on one node lost all their claims).
// The global retry policy still moves a failed call to another member of the cluster.
const HOST_POLICY = (): typeof noop => noop;

export class EtcdFleet {
  readonly claims: FleetClaimsPort;
  readonly #opts: FleetOptions;
  readonly #client: Etcd3;
  readonly #lease: NodeLease;
  readonly #membership: FleetMembership;
  readonly #dances: FleetDances;
  readonly #claims: FleetClaims;
  #guard: FenceGuard;

  constructor(opts: FleetOptions, deps: EtcdFleetDeps) {
    this.#opts = opts;
    this.#client = new Etcd3({ hosts: [...opts.hosts], dialTimeout: DIAL_TIMEOUT_MS, faultHandling: { host: HOST_POLICY, watchBackoff: WATCH_BACKOFF } });
    const ns = this.#client.namespace(opts.prefix);
    const { log } = deps;
    this.#guard = this.#startGuard(deps);
    this.#lease = new NodeLease(ns, opts.ttlMs);
    this.#claims = new FleetClaims({
      ns,
      lease: this.#lease,
      node: opts.node,
      ttlMs: opts.ttlMs,
      guard: this.#guard,
      clock: deps.clock,
      report: deps.report,
      warn: (message, vassal) => log.warn({ vassal }, message),
    });
    this.claims = this.#claims;
    this.#membership = new FleetMembership({
      ns,
      lease: this.#lease,
      node: opts.node,
      ttlMs: opts.ttlMs,
      clock: deps.clock,
      startedAt: deps.clock(),
      vassals: deps.vassals,
      connectivity: (connected, why) => {
        if (connected) log.info({ node: opts.node }, `fleet: connected to etcd (${opts.hosts.join(', ')}) as node ${opts.node}`);
        else log.warn({ node: opts.node }, `fleet: disconnected from etcd (${why}); local vassals keep running, fleet singletons stop before their claims can expire`);
      },
    });
    this.#dances = new FleetDances({ ns, node: opts.node, ttlMs: opts.ttlMs, lease: this.#lease, dance: deps.dance, registered: () => this.#membership.publishNow(), warn: (message) => log.warn(message) });
  }

  /** The nodes that run `vassal` now (by name), from the registry in etcd. */
  async planRoll(vassal: string, timeoutMs: number): Promise<RollPlan> {
    const nodes: string[] = [];
    const skipped: { node: string; state: string }[] = [];
    for (const n of await this.#membership.nodes(timeoutMs)) {
      const v = n.vassals.find((x) => x.name === vassal);
      if (v?.state === 'running') nodes.push(n.node);
      else if (v) skipped.push({ node: n.node, state: v.state });
    }
    return { nodes, skipped };
  }

  /** Dances `vassal` on each node of the plan in turn; stops at the first failure. */
  roll(vassal: string, nodes: readonly string[], emit: (e: FleetRollEvent) => void): Promise<{ ok: boolean; message: string }> {
    return this.#dances.roll(vassal, nodes, emit);
  }

  info(): FleetInfo {
    return { node: this.#opts.node, endpoints: this.#opts.hosts, prefix: this.#opts.prefix, ttlMs: this.#opts.ttlMs, connected: this.#membership.connected };
  }

  nodes(timeoutMs: number): Promise<FleetNode[]> {
    return this.#membership.nodes(timeoutMs);
  }

  /** At exit, once every instance is stopped: claims and registration go at once. */
  async close(): Promise<void> {
    this.#dances.close();
    this.#claims.releaseAll();
    this.#membership.close();
    // One revoke takes the registration and every claim still on the node's lease.
    await this.#lease.close();
    this.#guard.close();
    this.#client.close();
  }

  #startGuard(deps: EtcdFleetDeps): FenceGuard {
    const guard = new FenceGuard({
      killed: (name, pgid) => deps.log.warn({ vassal: name, pgid }, `fence guard: SIGKILLed process group ${pgid}: its fleet claim ran out`),
      died: (code, signal) => {
        deps.log.error({ code, signal }, 'fence guard died: every fleet claim is given up, and the guard restarted');
        this.#guard = this.#startGuard(deps);
        this.#claims.replaceGuard(this.#guard);
        this.#claims.lapseAll('the fence guard died');
      },
    });
    deps.log.info({ guardPid: guard.pid }, `fence guard started (pid ${guard.pid})`);
    return guard;
  }
}
