// What the control API needs from the running emperor. The composition root implements it
// over the runtime; the control layer only turns requests into these calls and never touches
// processes itself.
import type { VassalAction } from '../core/command-types.js';
import type { LifecycleEvent } from '../core/lifecycle-event.js';
import type { OutputLine, VassalStatus } from '../core/status.js';

export interface ActionOutcome {
  readonly ok: boolean;
  /** The command's id: its `done` event on the event stream carries the same. */
  readonly command?: number;
  /** Human summary: 'web: running (pid 123, generation 4)' or the failed step and its reason. */
  readonly message: string;
  /** For dances: the failed step, when ok is false. */
  readonly failedStep?: string;
  readonly status: VassalStatus | null;
}

export interface SupervisorPort {
  list(): VassalStatus[];
  get(name: string): VassalStatus | undefined;
  /**
   * Starts an action. With wait=false the promise resolves as soon as it is accepted.
   * Rejects with an EmperorError (unknown vassal, dance already running, …) when refused.
   */
  act(name: string, action: VassalAction, wait: boolean): Promise<ActionOutcome>;
  /** Every lifecycle event from now on; returns the unsubscribe function. */
  subscribe(listener: (event: LifecycleEvent) => void): () => void;
  /** The last `limit` captured output lines of the vassal's instances, or undefined for an unknown vassal. */
  output(name: string, limit: number): OutputLine[] | undefined;
  /** Subscribe to new output lines of one vassal. */
  followOutput(name: string, listener: (line: OutputLine) => void): () => void;
  /**
   * Emperor-level facts for /metrics and `/emperor`. `problems`: what is wrong with the emperor's
   * surroundings now (`vassals directory missing`, `run dir not writable: …`), empty when nothing.
   */
  info(): { readonly pid: number; readonly startedAt: number; readonly vassalsDir: string; readonly version: string; readonly problems: readonly string[] };
}
