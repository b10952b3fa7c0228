// The resolved, validated form of one vassal file: the core's vocabulary. The config layer
// produces these (raw -> written -> resolved); the core and the runtime only ever consume them.

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
