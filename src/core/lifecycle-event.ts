// One lifecycle event, as logged and as sent on the event stream: a discriminated union, so a
// consumer that switches on `type` sees exactly the fields that event carries.
import type { VassalAction } from './command-types.js';
import type { DanceStep } from './operation.js';
import type { InstanceRole, VassalStateName } from './status.js';

/** How much an event deserves an operator's attention (the log level it is written at). */
export type EventLevel = 'info' | 'warn' | 'error';

interface EventBase {
  readonly at: number;
  readonly vassal: string;
  readonly level: EventLevel;
  /** One human line, the same that goes to the log. */
  readonly message: string;
}

interface InstanceRef {
  readonly generation: number;
  readonly role: InstanceRole;
}

export type LifecycleEventBody =
  | { readonly type: 'state'; readonly state: VassalStateName; readonly from: VassalStateName }
  | { readonly type: 'loaded' | 'changed' | 'removed' | 'sockets' | 'reload' | 'reload-failed' | 'dance' }
  /** Stop order: the vassal stops once these dependents (`after`), stopping too, are gone. */
  | { readonly type: 'stop-order'; readonly waitFor: readonly string[] }
  /** The restart policy stopped respawning: a finished one-shot, or a fatal crash loop. */
  | { readonly type: 'finished' | 'fatal' }
  /** The file, its command or its sockets cannot be used; generation is set when a spawn found out. */
  | { readonly type: 'broken'; readonly generation?: number }
  /** A request was accepted: from the operator, or from the instance itself (uWSGI byte 22). */
  | { readonly type: 'command'; readonly generation?: number }
  | ({ readonly type: 'spawning' } & InstanceRef)
  | ({ readonly type: 'spawned' | 'stopping' | 'killing'; readonly pid: number } & InstanceRef)
  | ({ readonly type: 'ready'; readonly pid?: number; readonly durationMs?: number } & InstanceRef)
  | ({ readonly type: 'exited'; readonly pid?: number; readonly expected: boolean; readonly code: number | null; readonly signal: string | null } & InstanceRef)
  | { readonly type: 'spawn-failed'; readonly generation: number }
  /** The fleet claim changed: granted here, or held elsewhere (`holder`, when known). */
  | { readonly type: 'fleet'; readonly held: boolean; readonly holder: string | null }
  | { readonly type: 'dance-step'; readonly step: DanceStep; readonly durationMs: number; readonly generation?: number }
  | { readonly type: 'dance-done'; readonly durationMs: number }
  | { readonly type: 'dance-failed'; readonly step: DanceStep; readonly durationMs: number }
  | { readonly type: 'reload-step'; readonly durationMs: number }
  | { readonly type: 'reload-done'; readonly durationMs: number; readonly generation?: number }
  /** The outcome of an accepted command: `ok`, or the step that failed and why (in `message`). */
  | { readonly type: 'done'; readonly command: number; readonly action: VassalAction; readonly ok: boolean; readonly step?: string };

export type LifecycleEvent = EventBase & LifecycleEventBody;

export type LifecycleEventType = LifecycleEvent['type'];
