// The resolved, validated form of one vassal file. The runtime and the core only ever see
// these types; everything a user can write lives in the loader (raw -> written -> resolved).

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

/** Everything needed to start one instance: the original or its stand-in. */
export interface ProcessSpec {
  readonly command: Command;
  readonly cwd: string;
  /** Variables added to (and overriding) the emperor's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** 'uwsgi' instances get the emperor channel (UWSGI_EMPEROR_FD) and are stopped with byte 2. */
  readonly protocol: 'plain' | 'uwsgi';
  readonly stopSignal: NodeJS.Signals;
  readonly stopTimeoutMs: number;
  readonly ready: ReadySpec;
  readonly readyTimeoutMs: number;
  /** Append the instance's output to this file instead of the emperor's log. */
  readonly logto: string | undefined;
  /** uWSGI `heartbeat`: a missing heartbeat for this long means the instance is hung. */
  readonly heartbeatTimeoutMs: number | undefined;
}

/** A listening socket the emperor binds once and hands to every instance of the vassal. */
export type SocketSpec =
  | { readonly name: string; readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly name: string; readonly kind: 'unix'; readonly path: string; readonly mode: number };

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
  readonly sockets: readonly SocketSpec[];
  readonly reload: ReloadStrategy;
  /** Changes whenever the file's content changes; a touch changes only the mtime. */
  readonly contentHash: string;
  /** Non-fatal findings (unknown keys, …), each `file: key: problem`. */
  readonly warnings: readonly string[];
}

/** One problem found in a vassal file. `key` is a dotted path ('emperor.stop-timeout') or '' for the file as a whole. */
export interface ConfigProblem {
  readonly file: string;
  readonly key: string;
  readonly message: string;
}

export type LoadResult =
  | { readonly ok: true; readonly spec: VassalSpec }
  | { readonly ok: false; readonly name: string; readonly file: string; readonly errors: readonly ConfigProblem[]; readonly warnings: readonly string[] };

/** Options of the emperor that shape how files are read. */
export interface LoadOptions {
  /** The program that runs uWSGI vassals (`--vassal-wrapper`, uWSGI's `--emperor-wrapper`). */
  readonly vassalWrapper: string;
  /** uWSGI's `emperor-required-heartbeat`: the default heartbeat-timeout of vassals that send heartbeats (30 s). */
  readonly requiredHeartbeatMs?: number;
}

export const MAX_VASSAL_FILE_BYTES = 1024 * 1024;

/** Formats a problem the way every error in the project reads: `file: key: message`. */
export function formatProblem(p: ConfigProblem): string {
  return p.key ? `${p.file}: ${p.key}: ${p.message}` : `${p.file}: ${p.message}`;
}
