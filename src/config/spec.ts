// What loading a vassal file yields besides the spec: problems in `file: key: problem` form.
import type { VassalSpec } from '../core/spec.js';

/** One problem found in a vassal file. `key` is a dotted path ('emperor.stop-timeout') or '' for the file as a whole. */
export interface ConfigProblem {
  readonly file: string;
  readonly key: string;
  readonly message: string;
}

export type LoadResult =
  | { readonly ok: true; readonly spec: VassalSpec }
  | {
      readonly ok: false;
      readonly name: string;
      readonly file: string;
      readonly errors: readonly ConfigProblem[];
      readonly warnings: readonly string[];
      /** The host, not the file, failed (out of descriptors or memory): read it again later, judge nothing. */
      readonly transient?: true;
    };

/** Options of the emperor that shape how files are read. */
export interface LoadOptions {
  /** The program that runs uWSGI vassals (`--vassal-wrapper`, uWSGI's `--emperor-wrapper`). */
  readonly vassalWrapper: string;
  /** uWSGI's `emperor-required-heartbeat`: the default heartbeat-timeout of vassals that send heartbeats (30 s). */
  readonly requiredHeartbeatMs?: number;
  /** Tyrant mode (`--tyrant`): every vassal runs as the owner of its file. */
  readonly tyrant?: { readonly allowRoot: boolean };
  /** The uid the emperor runs as (process.getuid() unless a test says otherwise): only root may run vassals as other users. */
  readonly emperorUid?: number;
}

// How files are loaded under the emperor's options: the daemon and `emperor check` use the same
export function loadOptionsOf(opts: { readonly vassalWrapper: string; readonly requiredHeartbeatMs: number; readonly tyrant: boolean; readonly tyrantAllowRoot: boolean }): LoadOptions {
  return {
    vassalWrapper: opts.vassalWrapper,
    requiredHeartbeatMs: opts.requiredHeartbeatMs,
    ...(opts.tyrant ? { tyrant: { allowRoot: opts.tyrantAllowRoot } } : {}),
  };
}

export const MAX_VASSAL_FILE_BYTES = 1024 * 1024;

/** Formats a problem the way every error in the project reads: `file: key: message`. */
export function formatProblem(p: ConfigProblem): string {
  return p.key ? `${p.file}: ${p.key}: ${p.message}` : `${p.file}: ${p.message}`;
}
