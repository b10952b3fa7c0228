// What the core asks the runtime to do. Effects are descriptions; only the runtime acts.
import type { ProcessSpec, SocketSpec } from './spec.js';
import type { CommandAnswer } from './command-types.js';
import type { LifecycleEvent } from './lifecycle-event.js';
import type { LogSettings } from './log-settings.js';
import type { InstanceRole } from './status.js';

export type Effect =
  /** `held`: the instance gets EMPEROR_GO_FD and waits on it before loading its app (a warm stand-in). */
  | { readonly type: 'spawn'; readonly generation: number; readonly role: InstanceRole; readonly process: ProcessSpec; readonly held?: true }
  /** Lets a held instance go: one byte on its EMPEROR_GO_FD. */
  | { readonly type: 'go'; readonly generation: number }
  /** Graceful stop: the stop signal to the group, or byte 2 for a uWSGI instance. */
  | { readonly type: 'stop'; readonly generation: number }
  /** SIGKILL to the whole process group. */
  | { readonly type: 'kill'; readonly generation: number }
  /** uWSGI byte 1: graceful reload in place, same pid. */
  | { readonly type: 'uwsgi-reload'; readonly generation: number }
  /** Make the held sockets match this list (bind new ones, close ones no longer listed). */
  | { readonly type: 'hold-sockets'; readonly key: string; readonly sockets: readonly SocketSpec[] }
  /** The vassal is gone: close its sockets and drop it. */
  | { readonly type: 'forget' }
  | { readonly type: 'emit'; readonly event: LifecycleEvent }
  /** Ask for the vassal's fleet claim; fleet-granted or fleet-standby answer it. */
  | { readonly type: 'fleet-claim' }
  /** Give the claim up at once (no instance is left): another node may take it without waiting for the TTL. */
  | { readonly type: 'fleet-release' }
  /** Write the vassal's output (and lifecycle lines) to these files from now on, reopening as needed. */
  | { readonly type: 'log-to'; readonly log: LogSettings }
  /** The core's answer to a command event: accepted (its outcome follows as a `done` event) or refused. */
  | { readonly type: 'answer'; readonly answer: CommandAnswer };
