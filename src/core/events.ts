// Everything that can happen to a vassal. Watcher, child processes, timers, the control API
// and the emperor's own signals all end up as one of these, handled one at a time.
import type { VassalAction } from './command-types.js';
import type { VassalSpec } from './spec.js';

export type VassalEvent =
  /**
   * The file appeared, changed or was touched. `stoppedByOperator`: on the first load after the
   * emperor started, the operator had stopped this vassal (same file content) before the restart.
   */
  | { readonly type: 'file-loaded'; readonly spec: VassalSpec; readonly stoppedByOperator?: boolean }
  | { readonly type: 'file-invalid'; readonly error: string; readonly file: string }
  | { readonly type: 'file-removed' }
  | { readonly type: 'sockets-held'; readonly key: string; readonly addresses: readonly { name: string; address: string }[] }
  /** `transient`: EMFILE and the like; a `retry` follows, and the sockets are bound again. */
  | { readonly type: 'sockets-failed'; readonly key: string; readonly error: string; readonly transient?: boolean }
  | { readonly type: 'spawned'; readonly generation: number; readonly pid: number }
  | { readonly type: 'spawn-failed'; readonly generation: number; readonly error: string; readonly notFound: boolean }
  /** Something the emperor needs to spawn safely was short and is back (the run dir can be written again): try now. */
  | { readonly type: 'retry' }
  | { readonly type: 'ready'; readonly generation: number }
  | { readonly type: 'status-text'; readonly generation: number; readonly text: string }
  | { readonly type: 'uwsgi-byte'; readonly generation: number; readonly byte: number }
  /** The instance's whole process group is gone. */
  | {
      readonly type: 'exited';
      readonly generation: number;
      readonly code: number | null;
      readonly signal: string | null;
      /** The most telling line of the instance's last output (an error if there was one). */
      readonly output?: string | null;
    }
  /** An operator's command; `id` ties the core's answer and the later `done` event to it. */
  | { readonly type: 'command'; readonly id: number; readonly action: VassalAction }
  /**
   * This node holds the vassal's fleet claim (granted, or renewed): a fleet singleton may start
   * here until `renewBy`; without a renewal by then it is stopped, and SIGKILLed by `killBy`,
   * which comes before its lease can expire in etcd.
   */
  | { readonly type: 'fleet-granted'; readonly renewBy: number; readonly killBy: number }
  /**
   * This node does not hold the claim (never had it, or lost it): `holder` holds it, when known.
   * `killBy` is set when a held claim was lost: every instance must be gone by then.
   */
  | { readonly type: 'fleet-standby'; readonly holder: string | null; readonly reason: string; readonly killBy: number | null }
  /** The vassals that have a ready instance now (sent whenever that set changes): `after` waits on it. */
  | { readonly type: 'peers-ready'; readonly names: readonly string[] }
  /**
   * The vassals that name this one in `after`, are stopping too and still have instances, cycles
   * left out (see stop-order.ts): sent whenever that list changes. A stop waits for them.
   */
  | { readonly type: 'dependents-stopping'; readonly names: readonly string[] }
  | { readonly type: 'shutdown' }
  | { readonly type: 'tick' };

/** The columns of the lifecycle table: every event type, with commands split by action. */
export type EventKind = Exclude<VassalEvent['type'], 'command'> | `command:${VassalAction}`;

export function eventKind(e: VassalEvent): EventKind {
  return e.type === 'command' ? `command:${e.action}` : e.type;
}
