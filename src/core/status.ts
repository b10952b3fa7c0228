// The read-only view of the fleet that the control API, the CLI and the metrics show.
// Times are epoch milliseconds; durations are milliseconds unless the name says seconds.

/** Every state a vassal can be in, as an operator sees it. */
export const VASSAL_STATE_NAMES = [
  'starting', // an original instance is spawned and not ready yet
  'running', // the original instance is ready
  'reloading', // a reload (stop-start, overlap or in-place) is under way
  'dancing', // a restart dance is under way
  'degraded', // the stand-in serves while a new original fails to become ready
  'stopping', // instances are being stopped (removal, `emperor stop`, shutdown)
  'waiting', // its `after` vassals have no ready instance yet: nothing is started
  'throttled', // waiting before the next attempt, its restart burst used up
  'exited', // finished, and its restart policy does not restart it (restart: never / on-failure)
  'fatal', // died more than max-restarts times: given up until start, a change or a touch
  'broken', // the file is invalid, or the command or its sockets cannot be used
  'stopped', // nothing runs, by request
  'standby', // a fleet singleton whose claim another node holds (or that cannot be claimed now)
] as const;

export type VassalStateName = (typeof VASSAL_STATE_NAMES)[number];

export type InstanceRole = 'main' | 'standin';

export interface UwsgiFlags {
  readonly loaded: boolean;
  readonly accepting: boolean;
  readonly loyal: boolean;
  readonly lastHeartbeatAt: number | null;
}

export interface InstanceStatus {
  readonly generation: number;
  readonly role: InstanceRole;
  readonly pid: number | null;
  readonly state: 'spawning' | 'warm' | 'starting' | 'ready' | 'reloading' | 'stopping';
  readonly startedAt: number;
  readonly readyAt: number | null;
  /** Last `STATUS=` text the instance sent over its notify channel. */
  readonly statusText: string | null;
  readonly uwsgi: UwsgiFlags | null;
}

export interface ExitRecord {
  readonly generation: number;
  readonly role: InstanceRole;
  readonly code: number | null;
  readonly signal: string | null;
  readonly at: number;
  readonly expected: boolean;
  /** The most telling line of its last output, e.g. the error that killed it. */
  readonly output: string | null;
}

export interface VassalStatus {
  readonly name: string;
  readonly file: string;
  readonly state: VassalStateName;
  /** Pid of the original (main) instance that serves, else of any live instance. */
  readonly pid: number | null;
  readonly generation: number;
  readonly restarts: number;
  /** Seconds the serving instance has been up. */
  readonly uptime: number | null;
  readonly lastExit: ExitRecord | null;
  readonly error: string | null;
  readonly nextStartAt: number | null;
  readonly throttleDelayMs: number;
  readonly reload: string | null;
  readonly want: 'up' | 'down' | 'gone';
  readonly sockets: readonly { readonly name: string; readonly address: string }[];
  readonly instances: readonly InstanceStatus[];
  readonly dance: { readonly step: string; readonly startedAt: number } | null;
  /** One short human line: why throttled, what the dance does, which file is invalid … */
  readonly note: string;
  readonly warnings: readonly string[];
  /** The vassals it starts after (`after`) and stops before. */
  readonly after: readonly string[];
  /** Only when asked for (`GET /vassals?usage=1`): null when no instance is alive. */
  readonly usage?: GroupUsage | null;
  /** A fleet singleton's claim: held here, or waited for while `holder` (when known) holds it; null for other vassals. */
  readonly fleet: { readonly claim: 'held' | 'waiting' | 'none'; readonly holder: string | null } | null;
}

/** CPU and memory of a vassal's process groups (all its live instances), read from /proc. */
export interface GroupUsage {
  /** CPU time used over the last sampling interval, in % of one core; null without an earlier sample. */
  readonly cpuPercent: number | null;
  /** CPU time (user + system) of the processes alive now, since each started. */
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  readonly processes: number;
}

/** Where a captured line came from: an instance's stdout or stderr, or the emperor's lifecycle. */
export type OutputStream = 'stdout' | 'stderr' | 'emperor';

/** One captured line: an instance's output, or a lifecycle line (spawned, exited, …) between them. */
export interface OutputLine {
  /** Epoch ms; null for a line read back from a `log-format: plain` file (it has no time). */
  readonly at: number | null;
  /** 0 when unknown (a plain file) or when the line is about the vassal, not one instance. */
  readonly generation: number;
  readonly stream: OutputStream;
  readonly line: string;
  /** Set when the stand-in wrote it. */
  readonly role?: 'standin';
  /** Lifecycle lines: the level they were logged at. */
  readonly level?: 'info' | 'warn' | 'error';
  /** The instance wrote a longer line: it was cut at 64 KiB and continues in the next one. */
  readonly continued?: true;
  /** Set in streams of several vassals (`GET /logs`). */
  readonly vassal?: string;
}

/** One vassal as a node of the fleet publishes it (a short form of VassalStatus). */
export interface FleetVassal {
  readonly name: string;
  readonly state: VassalStateName;
  readonly pid: number | null;
  readonly note: string;
}

/** One emperor of the fleet, as registered in etcd under `nodes/NAME` with its lease. */
export interface FleetNode {
  readonly node: string;
  readonly pid: number;
  readonly startedAt: number;
  /** When the node last wrote this record (its own clock). */
  readonly publishedAt: number;
  readonly vassals: readonly FleetVassal[];
}

/** This emperor's place in the fleet: null when it runs alone (no --fleet). */
export interface FleetInfo {
  readonly node: string;
  readonly endpoints: readonly string[];
  readonly prefix: string;
  readonly ttlMs: number;
  readonly connected: boolean;
}

/** A source of vassal files other than the vassals directory: an etcd prefix (--vassals etcd://…/PREFIX/). */
export interface VassalSourceInfo {
  /** etcd://HOST:PORT[,…]/PREFIX/ as given. */
  readonly url: string;
  /** The source's keys are being followed (read, then watched): false while etcd cannot be reached. */
  readonly connected: boolean;
  /** Vassal keys under the prefix, as last seen. */
  readonly keys: number;
  /** When `connected` last changed (epoch ms). */
  readonly since: number;
  /** Why it is disconnected, null when connected. */
  readonly error: string | null;
}

/**
 * What `POST /fleet/dance/:name` streams while it rolls a dance across the fleet, one node at
 * a time: the plan, each node's steps as that node reports them, each node's outcome, and the
 * roll's outcome (`done`, always last).
 */
export type FleetRollEvent =
  | { readonly type: 'plan'; readonly vassal: string; readonly nodes: readonly string[]; readonly skipped: readonly { readonly node: string; readonly state: string }[] }
  | { readonly type: 'node-start'; readonly node: string }
  | { readonly type: 'step'; readonly node: string; readonly message: string }
  | { readonly type: 'node-done'; readonly node: string; readonly ok: boolean; readonly message: string }
  | { readonly type: 'done'; readonly ok: boolean; readonly message: string; readonly danced: readonly string[]; readonly notDanced: readonly string[] };
