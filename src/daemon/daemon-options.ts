// Options of the emperor daemon, resolved from the command line by the CLI.
import type { FleetOptions } from '../runtime/fleet/etcd-fleet.js';

export interface EtcdVassalsSource {
  readonly hosts: readonly string[];
  readonly prefix: string;
  /** etcd://HOST:PORT[,…] as written. */
  readonly origin: string;
}

export interface DaemonOptions {
  /** The directory of vassal files; null when every vassal comes from etcd (`vassalSources`). */
  readonly vassalsDir: string | null;
  /** etcd prefixes whose keys are vassal files (`--vassals etcd://HOST:PORT/PREFIX/`). */
  readonly vassalSources: readonly EtcdVassalsSource[];
  readonly runDir: string;
  /** Control socket path; defaults to `<runDir>/control.sock`. */
  readonly controlPath: string;
  readonly vassalWrapper: string;
  /** First respawn delay past a vassal's restart burst, doubled on each further death. */
  readonly throttleMs: number;
  readonly maxThrottleMs: number;
  readonly logFormat: 'json' | 'pretty';
  readonly logLevel: string;
  /** The emperor's own log goes to this file (reopened on SIGUSR1) instead of stderr. */
  readonly logFile: string | undefined;
  /** uWSGI `emperor-required-heartbeat`: seconds of silence after which a heartbeating vassal is hung. */
  readonly requiredHeartbeatMs: number;
  /** How long the vassals of a vanished vassals directory keep running, in case it comes back. */
  readonly missingDirGraceMs: number;
  /** Period of the safety rescan of the vassals directory; 0: none. */
  readonly rescanIntervalMs: number;
  /** uWSGI's tyrant mode: each vassal runs as the owner of its file. */
  readonly tyrant: boolean;
  /** With tyrant mode, files owned by root may run (as root). */
  readonly tyrantAllowRoot: boolean;
  /** Group allowed to use the control socket (made 0660 with this group); undefined: owner only. */
  readonly controlGroupId: number | undefined;
  /** Membership of a fleet of emperors on etcd; undefined: this emperor runs alone. */
  readonly fleet?: FleetOptions | undefined;
  /** The dashboard's opt-in TCP listener (--http) and its token (--http-token). */
  readonly http?: { readonly host: string; readonly port: number; readonly token: string | null } | undefined;
}
