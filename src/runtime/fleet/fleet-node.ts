// What every part of a node's fleet membership shares: where the fleet lives in etcd, who this
// node is, the TTL every deadline derives from, and the node's one lease.
import type { Namespace } from 'etcd3';
import type { NodeLease } from './node-lease.js';

export interface FleetNodeContext {
  /** The fleet's namespace in etcd (`--fleet-prefix`). */
  readonly ns: Namespace;
  readonly node: string;
  readonly ttlMs: number;
  readonly lease: NodeLease;
}
