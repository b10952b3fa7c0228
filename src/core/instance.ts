// One running (or starting, or stopping) process group of a vassal, as the core sees it.
import type { ProcessSpec } from './spec.js';
import type { InstanceRole, UwsgiFlags } from './status.js';

/*
 * Invariants:
 * - `pid` is null only while phase is 'spawning' (the spawn effect is out, no answer yet).
 * - phase 'stopping' always has `killAt` set: SIGKILL goes to the group at that time unless
 *   `killed` is already true.
 * - `readyDeadline` is set while phase is 'starting' or 'reloading'.
 * - phase 'warm' (spawned, held before loading its app until the emperor lets it go) is only
 *   ever a stand-in's, and only while `held` is true; it serves nothing and has no deadline.
 * - an instance leaves the list only on its `exited` (group gone) or `spawn-failed` event.
 */
export type InstancePhase = 'spawning' | 'warm' | 'starting' | 'ready' | 'reloading' | 'stopping';

export interface Instance {
  readonly generation: number;
  readonly role: InstanceRole;
  /** The vassal revision (file content or touch) this instance runs. */
  readonly rev: number;
  readonly process: ProcessSpec;
  readonly phase: InstancePhase;
  /** Spawned to wait for the emperor's go (a warm stand-in), and not let go yet. */
  readonly held: boolean;
  readonly pid: number | null;
  readonly spawnedAt: number;
  readonly readyAt: number | null;
  readonly readyDeadline: number | null;
  readonly killAt: number | null;
  readonly killed: boolean;
  /** Why the emperor stopped it, when it did: the exit is then expected. */
  readonly stopReason: string | null;
  /** Stopped because it failed (not ready in time, hung): its exit counts as a death for throttling. */
  readonly failed: boolean;
  readonly statusText: string | null;
  readonly uwsgi: UwsgiFlags | null;
  readonly heartbeatDeadline: number | null;
  /** uWSGI: when byte 1 (apps loaded) arrived; workers send 5 within milliseconds of it. */
  readonly loadedAt: number | null;
}

/** A uWSGI instance that loaded but has no worker accepting this long after is a router or zerg pool: ready. */
export const UWSGI_ACCEPT_GRACE_MS = 3000;

// A fresh instance record for a spawn the core is about to ask for.
export function newInstance(generation: number, role: InstanceRole, rev: number, process: ProcessSpec, now: number, held = false): Instance {
  return {
    generation,
    role,
    rev,
    process,
    phase: 'spawning',
    held,
    pid: null,
    spawnedAt: now,
    readyAt: null,
    readyDeadline: held ? null : now + process.readyTimeoutMs,
    killAt: null,
    killed: false,
    stopReason: null,
    failed: false,
    statusText: null,
    uwsgi: process.protocol === 'uwsgi' ? { loaded: false, accepting: false, loyal: false, lastHeartbeatAt: null } : null,
    heartbeatDeadline: null,
    loadedAt: null,
  };
}

// Whether the instance counts as serving (or about to serve) rather than on its way out.
export function isLive(i: Instance): boolean {
  return i.phase !== 'stopping';
}
