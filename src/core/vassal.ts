// The core's record of one vassal: the wish (want, revision, operation) kept apart from the
// fact (the instances that exist).
import type { VassalSpec } from './spec.js';
import type { Instance } from './instance.js';
import type { ExitRecord } from './status.js';
import { NO_THROTTLE, type ThrottleState } from './throttle.js';

export type DanceStep = 'standin-starting' | 'main-stopping' | 'main-starting' | 'standin-stopping';

/*
 * A multi-step operation in progress. Invariants:
 * - at most one operation at a time; 'none' when the vassal just keeps its instance running.
 * - overlap.newGen / dance.standinGen are null until the spawn effect for them is issued.
 * - a dance never spawns a main instance while another main instance exists (singletons
 *   are never doubled); its main-starting step begins only when no main is left.
 */
export type Operation =
  | { readonly kind: 'none' }
  | { readonly kind: 'stop-start'; readonly startedAt: number }
  | { readonly kind: 'overlap'; readonly step: 'starting-new' | 'stopping-old'; readonly newGen: number | null; readonly startedAt: number }
  | { readonly kind: 'in-place'; readonly generation: number; readonly startedAt: number }
  | {
      readonly kind: 'dance';
      readonly step: DanceStep;
      readonly standinGen: number | null;
      readonly startedAt: number;
      readonly stepStartedAt: number;
      /** New originals that died before becoming ready during this dance (degraded when > 0). */
      readonly mainFailures: number;
    };

export type SocketHold =
  | { readonly status: 'none' }
  | { readonly status: 'pending'; readonly key: string }
  | { readonly status: 'held'; readonly key: string; readonly addresses: readonly { name: string; address: string }[] }
  | { readonly status: 'failed'; readonly key: string; readonly error: string };

export interface Vassal {
  readonly name: string;
  readonly file: string;
  /** The last valid spec; null until the file has loaded once. */
  readonly spec: VassalSpec | null;
  /** Bumped by every load of the file (change or touch) and by `reload`: instances with an older rev are outdated. */
  readonly rev: number;
  /** Why the vassal cannot run its latest file: invalid file, command not found, sockets. */
  readonly error: string | null;
  readonly errorKind: 'config' | 'spawn' | 'sockets' | null;
  readonly want: 'up' | 'down';
  readonly removed: boolean;
  readonly shuttingDown: boolean;
  readonly instances: readonly Instance[];
  readonly op: Operation;
  readonly throttle: ThrottleState;
  readonly restarts: number;
  readonly nextGeneration: number;
  readonly lastExit: ExitRecord | null;
  /** A reload to this rev failed; it is not retried until the rev changes. */
  readonly failedRev: number | null;
  readonly failedReason: string | null;
  readonly danceRequested: boolean;
  readonly sockets: SocketHold;
}

// A vassal known by name and file, with nothing loaded or running yet.
export function newVassal(name: string, file: string): Vassal {
  return {
    name,
    file,
    spec: null,
    rev: 0,
    error: null,
    errorKind: null,
    want: 'up',
    removed: false,
    shuttingDown: false,
    instances: [],
    op: { kind: 'none' },
    throttle: NO_THROTTLE,
    restarts: 0,
    nextGeneration: 1,
    lastExit: null,
    failedRev: null,
    failedReason: null,
    danceRequested: false,
    sockets: { status: 'none' },
  };
}

// The canonical key of a socket list: equal keys mean the held sockets can be kept.
export function socketsKey(spec: VassalSpec): string {
  return JSON.stringify(spec.sockets);
}
