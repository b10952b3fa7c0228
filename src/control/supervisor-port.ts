// What the control API needs from the running emperor. The composition root implements it
// over the runtime; the control layer only turns requests into these calls and never touches
// processes itself.
import type { VassalAction } from '../core/command-types.js';
import type { LifecycleEvent } from '../core/lifecycle-event.js';
import type { ErrorCode } from '../errors.js';
import type { FleetInfo, FleetNode, FleetRollEvent, GroupUsage, OutputLine, VassalSourceInfo, VassalStatus } from '../core/status.js';

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

/**
 * One vassal's result in a batch (`POST /actions/ACTION`): its outcome without the status, or,
 * when the emperor refused the action for it (unknown, broken, …), the refusal's code and words.
 */
export interface BatchOutcome {
  readonly name: string;
  readonly ok: boolean;
  readonly command?: number;
  readonly message: string;
  readonly failedStep?: string;
  /** Set only for a refusal: nothing changed for this vassal. */
  readonly code?: ErrorCode;
}

export interface EmperorInfo {
  readonly pid: number;
  readonly startedAt: number;
  /** The vassals directory; null when every vassal comes from etcd. */
  readonly vassalsDir: string | null;
  /** Sources of vassals besides the directory (etcd prefixes), with whether each is followed now. */
  readonly sources: readonly VassalSourceInfo[];
  readonly version: string;
  /** What is wrong with the emperor's surroundings now (`vassals directory missing`, `run dir not writable: …`), empty when nothing. */
  readonly problems: readonly string[];
  readonly fleet: FleetInfo | null;
}

export interface LogsReopened {
  /** Vassal log files reopened. */
  readonly files: number;
  /** The emperor's own --log-file was reopened (false: it logs to stderr). */
  readonly emperorLog: boolean;
}

export interface SupervisorPort {
  list(): VassalStatus[];
  get(name: string): VassalStatus | undefined;
  /**
   * Starts an action. With wait=false the promise resolves as soon as it is accepted.
   * Rejects with an EmperorError (unknown vassal, dance already running, …) when refused.
   */
  act(name: string, action: VassalAction, wait: boolean): Promise<ActionOutcome>;
  /**
   * Sends one action to several vassals in one turn and resolves with each one's result, in
   * the order of `names`. Stops go dependents first (`after`): a vassal stops once those of
   * its dependents in the batch have stopped. A refusal fails only its own vassal.
   */
  actAll(names: readonly string[], action: VassalAction, wait: boolean): Promise<BatchOutcome[]>;
  /** Every lifecycle event from now on; returns the unsubscribe function. */
  subscribe(listener: (event: LifecycleEvent) => void): () => void;
  /**
   * The vassal's last `limit` lines (output and lifecycle), none older than `since` (epoch ms):
   * read from its `logto` file when it has one, else from memory; undefined for an unknown vassal.
   */
  output(name: string, limit: number, since: number | null): Promise<OutputLine[]> | undefined;
  /** Subscribe to new lines of one vassal. */
  followOutput(name: string, listener: (line: OutputLine) => void): () => void;
  /**
   * CPU and memory of each vassal's live process groups, read from /proc now (the first call
   * in a while takes two samples 250 ms apart for the CPU %, unless `cpuPercent` is false);
   * null for a vassal with none alive.
   */
  usage(opts?: { readonly cpuPercent?: boolean }): Promise<ReadonlyMap<string, GroupUsage | null>>;
  /** Subscribe to new lines of every vassal, including vassals that appear later. */
  followAllOutput(listener: (vassal: string, line: OutputLine) => void): () => void;
  /** Reopens every log file at its path (each vassal's, and the emperor's own --log-file). */
  reopenLogs(): LogsReopened;
  /** Lines each vassal could not write to its log files (full disk, no permission). */
  droppedLogLines(): ReadonlyMap<string, number>;
  /**
   * Emperor-level facts for /metrics and `/emperor`. `problems`: what is wrong with the emperor's
   * surroundings now, empty when nothing; `fleet` is null for an emperor that runs alone.
   */
  info(): EmperorInfo;
  /**
   * Every node of the fleet with its vassals, read from etcd. Rejects with an EmperorError:
   * EMP_ERR_NOT_IN_FLEET alone, EMP_ERR_FLEET_UNREACHABLE when etcd does not answer.
   */
  fleetNodes(): Promise<FleetNode[]>;
  /**
   * Plans a rolling dance of `name` across the nodes that run it (from the registry in etcd)
   * and returns the roll to run: it emits each FleetRollEvent and resolves with its success.
   * Rejects like fleetNodes, and with EMP_ERR_UNKNOWN_VASSAL when no node runs `name`.
   */
  fleetRoll(name: string): Promise<(emit: (e: FleetRollEvent) => void) => Promise<boolean>>;
}
