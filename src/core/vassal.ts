// The core's record of one vassal: the wish (one field) kept apart from the facts (the file's
// spec, the instances that exist, the operation under way, the commands awaiting an outcome).
import type { PendingCommand } from './command-types.js';
import type { Instance } from './instance.js';
import { NO_OPERATION, type Operation } from './operation.js';
import type { VassalSpec } from './spec.js';
import type { ExitRecord } from './status.js';
import { DEFAULT_RESTART_POLICY, NO_HISTORY, type RestartHistory, type RestartPolicy } from './restart-policy.js';

/*
 * What should become of the vassal, and who said so. Only these change it:
 * - up: the first load of its file, `start`, `reload`, and a change of the file's content
 *   after a stop (a touch alone keeps a stopped vassal stopped);
 * - down: `stop` (by the operator) or uWSGI byte 22 (by the instance itself);
 * - gone: the file was removed (a new file of the same name brings it back) or the emperor
 *   shuts down (final).
 */
export type Wish =
  | { readonly want: 'up' }
  | { readonly want: 'down'; readonly by: 'operator' | 'instance' }
  | { readonly want: 'gone'; readonly by: 'file-removed' | 'shutdown' };

export type SocketHold =
  | { readonly status: 'none' }
  | { readonly status: 'pending'; readonly key: string }
  | { readonly status: 'held'; readonly key: string; readonly addresses: readonly { name: string; address: string }[] }
  | { readonly status: 'failed'; readonly key: string; readonly error: string; readonly transient: boolean };

/*
 * A fleet singleton's claim as the runtime last reported it (see fleet-claim.ts):
 * - none:    not asked for (not a fleet singleton, or given back);
 * - waiting: asked for; another node holds it (`holder`, when known) or the fleet cannot be
 *            reached. `killBy` is set when a held claim was lost: instances must be gone by then;
 * - held:    this node holds it: the singleton may start here until `renewBy`; past it without
 *            a renewal the claim lapses (see fleet-claim.ts).
 */
export type FleetClaim =
  | { readonly status: 'none' }
  | { readonly status: 'waiting'; readonly holder: string | null; readonly reason: string; readonly killBy: number | null }
  | { readonly status: 'held'; readonly renewBy: number; readonly killBy: number };

export interface Vassal {
  readonly name: string;
  readonly file: string;
  readonly wish: Wish;
  /** The last valid spec; null until the file has loaded once. */
  readonly spec: VassalSpec | null;
  /** Bumped by every load of the file (change or touch) and by `reload`: instances with an older rev are outdated. */
  readonly rev: number;
  /** Why the vassal cannot run its latest file: invalid file, command not found, sockets. */
  readonly error: string | null;
  readonly errorKind: 'config' | 'spawn' | 'sockets' | null;
  readonly instances: readonly Instance[];
  readonly op: Operation;
  /** Respawns and backoff under the restart policy. */
  readonly throttle: RestartHistory;
  /** The restart policy stopped respawning: a clean exit it does not restart, or more than max-restarts. */
  readonly halted: 'exited' | 'fatal' | null;
  readonly restarts: number;
  readonly nextGeneration: number;
  readonly lastExit: ExitRecord | null;
  /** A reload to this rev failed; it is not retried until the rev changes. */
  readonly failedRev: number | null;
  readonly failedReason: string | null;
  /** Why the last spawn did not happen (run dir not writable, EMFILE …): shown while it waits to try again. */
  readonly waiting: string | null;
  readonly sockets: SocketHold;
  /** The vassals that had a ready instance at the last `peers-ready` event. */
  readonly peersReady: readonly string[];
  /**
   * Vassals that name this one in `after`, are stopping too and still have instances (from
   * the last `dependents-stopping` event): while this vassal winds down, it stops after them.
   */
  readonly stopAfter: readonly string[];
  /** Accepted commands whose outcome is not known yet, oldest first. */
  readonly commands: readonly PendingCommand[];
  readonly claim: FleetClaim;
  /** A warm stand-in died while held: the next one is started no earlier than this. */
  readonly warmRetryAt: number | null;
}

// A vassal known by name and file, with nothing loaded or running yet.
export function newVassal(name: string, file: string): Vassal {
  return {
    name,
    file,
    wish: { want: 'up' },
    spec: null,
    rev: 0,
    error: null,
    errorKind: null,
    instances: [],
    op: NO_OPERATION,
    throttle: NO_HISTORY,
    halted: null,
    restarts: 0,
    nextGeneration: 1,
    lastExit: null,
    failedRev: null,
    failedReason: null,
    waiting: null,
    sockets: { status: 'none' },
    peersReady: [],
    stopAfter: [],
    commands: [],
    claim: { status: 'none' },
    warmRetryAt: null,
  };
}

export function wantsUp(v: Vassal): boolean {
  return v.wish.want === 'up';
}

// The canonical key of a socket list: equal keys mean the held sockets can be kept.
export function socketsKey(spec: VassalSpec): string {
  return JSON.stringify(spec.sockets);
}

// Ready for the vassals that wait for it (`after`): some instance of it (original or stand-in) serves.
export function servesOthers(v: Vassal): boolean {
  return v.instances.some((i) => i.phase === 'ready');
}

// The vassals named by `after` that have no ready instance yet: an original waits for them.
export function waitingFor(v: Vassal): readonly string[] {
  const after = v.spec?.after ?? [];
  return after.filter((name) => !v.peersReady.includes(name));
}

// Stop order: winding down, it keeps its instances until the dependents stopping with it are gone.
export function holdsStop(v: Vassal): boolean {
  return v.wish.want !== 'up' && v.stopAfter.length > 0 && v.instances.length > 0;
}

export function restartPolicyOf(v: Vassal): RestartPolicy {
  return v.spec?.restart ?? DEFAULT_RESTART_POLICY;
}
