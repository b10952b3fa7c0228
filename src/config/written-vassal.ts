// What a user can write in the `emperor` section, after each key is type-checked but before
// defaults and cross-key rules (raw -> WRITTEN -> resolved). Every field is optional.
import type { Command, LogFormat, ReadySpec, ReloadStrategy, ResourceLimits, SocketSpec } from '../core/spec.js';
import type { WrittenRestart } from './read-restart-keys.js';

/** A user or group as written: a name, or a number (uid, gid). */
export type AccountKey = string | number;

/** Process settings: allowed in `emperor` and, as overrides, in `emperor.standin`. */
export interface WrittenProcess {
  /** A list is an argv; a string runs with /bin/sh -c. Required for native vassals. */
  readonly command?: Command;
  /** As written; resolved against the vassal file's directory. Default: that directory. */
  readonly cwd?: string;
  /** Values already converted to strings. Default: none added. */
  readonly env?: Readonly<Record<string, string>>;
  /** Default SIGTERM (uWSGI vassals: SIGINT, informational). */
  readonly stopSignal?: NodeJS.Signals;
  /** Default 10 s, then SIGKILL to the process group. */
  readonly stopTimeoutMs?: number;
  /** Default spawn (uWSGI vassals: uwsgi). */
  readonly ready?: ReadySpec;
  /** Default 60 s. */
  readonly readyTimeoutMs?: number;
  /** As written; resolved against the vassal file's directory. Default: the emperor's log. */
  readonly logto?: string;
  /** Default: no rotation by the emperor (logrotate's job then). */
  readonly logMaxBytes?: number;
  /** Default 5. */
  readonly logBackups?: number;
  /** Default timestamped. */
  readonly logFormat?: LogFormat;
  /** Default: 30 s when the uwsgi section sets `heartbeat`, else none. */
  readonly heartbeatTimeoutMs?: number;
  /** Default: the emperor's own umask. */
  readonly umask?: number;
  /** Default: the emperor's own limits. */
  readonly limits?: ResourceLimits;
  /** Default false: stderr has a pipe of its own. */
  readonly mergeStderr?: boolean;
}

/** `standin`: overrides merged onto the vassal's own process, or another vassal-format file. */
export type WrittenStandin =
  | { readonly kind: 'overrides'; readonly overrides: WrittenProcess }
  | { readonly kind: 'file'; readonly file: string }; // absolute

/** A held socket as written: unix sockets may name the owner and group of their file. */
export type WrittenSocket =
  | Extract<SocketSpec, { kind: 'tcp' }>
  | { readonly name: string; readonly kind: 'unix'; readonly path: string; readonly mode: number; readonly owner?: AccountKey; readonly group?: AccountKey };

export interface WrittenVassal extends WrittenProcess {
  /** Default: the emperor's own user (tyrant mode: the file's owner). The stand-in runs as the same user. */
  readonly user?: AccountKey;
  /** Default: the user's primary group (tyrant mode: the file's group). */
  readonly group?: AccountKey;
  /** Default: in-place for uWSGI vassals, overlap with sockets, else stop-start. */
  readonly reload?: ReloadStrategy;
  /** Default: none. */
  readonly sockets?: readonly WrittenSocket[];
  /** Default: none (then reload cannot be 'dance'). */
  readonly standin?: WrittenStandin;
  /** `restart`, `restart-burst`, `restart-window`, `max-restarts`; default DEFAULT_RESTART_POLICY. */
  readonly restart?: WrittenRestart;
  /** Absolute paths created before each start, owned by the vassal's user. Default: none. */
  readonly dirs?: readonly string[];
  /** Vassal names whose instance must be ready before this one starts. Default: none. */
  readonly after?: readonly string[];
  /** Default: none (this emperor alone decides); 'fleet': one instance fleet-wide. */
  readonly singleton?: 'fleet';
  /** Default: false (the dance starts its stand-in cold). */
  readonly warmStandin?: boolean;
  /** The `command` key is present, even if its value was rejected: the vassal is native. */
  readonly hasCommandKey: boolean;
}

const PROCESS_KEYS = [
  'command',
  'cwd',
  'env',
  'stop-signal',
  'stop-timeout',
  'ready',
  'ready-timeout',
  'logto',
  'log-max-size',
  'log-backups',
  'log-format',
  'heartbeat-timeout',
  'umask',
  'limits',
  'merge-stderr',
] as const;

/** Who the vassal runs as: the emperor section only (the stand-in runs as the same user). */
export const ACCOUNT_KEYS = ['user', 'group'] as const;

/** What follows a death of the original: the emperor section only (a stand-in is never respawned). */
export const RESTART_KEYS = ['restart', 'restart-burst', 'restart-window', 'max-restarts'] as const;

export const EMPEROR_KEYS = [...PROCESS_KEYS, ...ACCOUNT_KEYS, 'reload', 'sockets', 'standin', 'warm-standin', ...RESTART_KEYS, 'after', 'dirs', 'singleton'] as const;

export const STANDIN_KEYS = ['file', ...PROCESS_KEYS] as const;

export const RELOAD_STRATEGIES: readonly ReloadStrategy[] = ['stop-start', 'overlap', 'dance', 'in-place'];
