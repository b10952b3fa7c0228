// The resolved, validated form of one vassal file: the core's vocabulary. The config layer
// produces these (raw -> written -> resolved); the core and the runtime only ever consume them.
import type { RestartPolicy } from './restart-policy.js';

/** How the emperor learns that one particular instance is ready to serve. */
export type ReadySpec =
  | { readonly kind: 'spawn' } // ready as soon as the process exists (no probe)
  | { readonly kind: 'notify' } // `READY=1` line on the fd named by EMPEROR_NOTIFY_FD
  | { readonly kind: 'log'; readonly pattern: string } // a line of output matches this RegExp source
  | { readonly kind: 'delay'; readonly ms: number } // ready after surviving this long
  | { readonly kind: 'uwsgi' }; // uWSGI emperor protocol byte 5 (accepting)

/** What happens to a running instance when its file changes or is touched. */
export type ReloadStrategy =
  | 'stop-start' // stop the old instance, then start the new one
  | 'overlap' // start the new one, wait until ready, then stop the old one
  | 'dance' // stand-in first, then replace the original (singleton workers never doubled)
  | 'in-place'; // uWSGI only: byte 1, graceful reload keeping the pid

export type Command =
  | { readonly kind: 'argv'; readonly argv: readonly string[] }
  | { readonly kind: 'shell'; readonly script: string }; // run with /bin/sh -c

/** A signal as the OS names it (config checks that this OS knows it). */
export type SignalName = `SIG${string}`;

/** Who an instance runs as, resolved from the password and group databases when the file is loaded. */
export interface RunAs {
  /** The user's name in the password database (USER, LOGNAME; initgroups uses it). */
  readonly user: string;
  readonly uid: number;
  /** The instance's primary group: the `group` key, else the user's own (tyrant mode: the file's group). */
  readonly gid: number;
  /** HOME and SHELL of the user, from the password database. */
  readonly home: string;
  readonly shell: string;
}

/** The resource limits a vassal may set (setrlimit(2), set with prlimit(1) before exec). */
export const LIMIT_NAMES = ['as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nofile', 'nproc', 'rss', 'sigpending', 'stack'] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

/**
 * How lines are written to a `logto` file. timestamped (the default): time, generation and
 * stream before each line, lifecycle lines between instances; plain: the instance's bytes as
 * they came; json: one object a line, for log shippers.
 */
export type LogFormat = 'plain' | 'timestamped' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['timestamped', 'plain', 'json'];

/** A vassal's own log file: `logto` with its rotation and format. */
export interface LogFileSpec {
  readonly path: string;
  /** Rotate once the file would grow past this many bytes; undefined: never (logrotate's job). */
  readonly maxBytes: number | undefined;
  /** Rotated files kept: path.1 (newest) … path.N; the oldest is dropped. */
  readonly backups: number;
  readonly format: LogFormat;
}

/** A number (bytes, seconds or a count, as the limit counts) or no limit. */
export type LimitValue = number | 'unlimited';

export interface ResourceLimit {
  readonly soft: LimitValue;
  readonly hard: LimitValue;
}

export type ResourceLimits = Readonly<Partial<Record<LimitName, ResourceLimit>>>;

/** Everything needed to start one instance: the original or its stand-in. */
export interface ProcessSpec {
  readonly command: Command;
  readonly cwd: string;
  /** Variables added to (and overriding) the emperor's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** 'uwsgi' instances get the emperor channel (UWSGI_EMPEROR_FD) and are stopped with byte 2. */
  readonly protocol: 'plain' | 'uwsgi';
  readonly stopSignal: SignalName;
  readonly stopTimeoutMs: number;
  readonly ready: ReadySpec;
  readonly readyTimeoutMs: number;
  /** Append the instance's output to this file (rotated by size) instead of the emperor's log. */
  readonly log: LogFileSpec | undefined;
  /** uWSGI `heartbeat`: a missing heartbeat for this long means the instance is hung. */
  readonly heartbeatTimeoutMs: number | undefined;
  /** Run as this user (uid, gid, supplementary groups, HOME…); absent: as the emperor itself. */
  readonly runAs?: RunAs | undefined;
  /** Directories created (mode 0700, owned by runAs) before exec when missing; absent: none. */
  readonly dirs?: readonly string[] | undefined;
  /** The umask set before exec; absent: the emperor's own. */
  readonly umask?: number | undefined;
  /** Resource limits set before exec; absent: the emperor's own. */
  readonly limits?: ResourceLimits | undefined;
  /**
   * stderr goes down the stdout pipe (supervisord's redirect_stderr): one descriptor in the
   * emperor per instance instead of two, and every line is labelled stdout. Absent: two pipes.
   */
  readonly mergeStderr?: true | undefined;
}

/** A listening socket the emperor binds once and hands to every instance of the vassal. */
export type SocketSpec =
  | { readonly name: string; readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | {
      readonly name: string;
      readonly kind: 'unix';
      readonly path: string;
      readonly mode: number;
      /** The socket file's owner and group after bind (uid, gid); absent: the emperor's own. */
      readonly owner?: number | undefined;
      readonly group?: number | undefined;
    };

export interface VassalSpec {
  /** File name without extension: the name in logs, status and the API. */
  readonly name: string;
  /** Absolute path of the vassal file (the link itself when it is a symlink). */
  readonly file: string;
  readonly format: 'yaml' | 'ini' | 'json';
  /** 'uwsgi': a file with a `uwsgi` section and no `emperor.command`. */
  readonly flavour: 'native' | 'uwsgi';
  readonly process: ProcessSpec;
  /** Settings of the stand-in used by the restart dance (required when reload is 'dance'). */
  readonly standin: ProcessSpec | undefined;
  /**
   * Keep a stand-in started ahead of the dance, held before it loads the app (EMPEROR_GO_FD):
   * the dance lets it go instead of starting one, saving the program's own start-up.
   */
  readonly warmStandin?: true;
  readonly sockets: readonly SocketSpec[];
  readonly reload: ReloadStrategy;
  /** Vassals that must have a ready instance before an original of this one is spawned; absent: none. */
  readonly after?: readonly string[];
  /**
   * 'fleet': at most one instance fleet-wide, on the node that holds the vassal's claim in the
   * fleet (etcd); absent: this emperor alone decides.
   */
  readonly singleton?: 'fleet';
  /** What follows a death of the original; absent: DEFAULT_RESTART_POLICY. */
  readonly restart?: RestartPolicy;
  /** Changes whenever the file's content changes; a touch changes only the mtime. */
  readonly contentHash: string;
  /** Non-fatal findings (unknown keys, …), each `file: key: problem`. */
  readonly warnings: readonly string[];
}
