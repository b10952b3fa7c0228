// The lifecycle of a vassal as one table: for each operation (row) and each event (column),
// what happens once the event's facts are recorded. Every cell is written out, the empty ones
// too, and `satisfies LifecycleTable` makes the compiler reject a new event or operation that
// some row does not handle.
import { beginDance } from './dance.js';
import type { Draft } from './draft.js';
import type { EventKind } from './events.js';
import type { OperationKey } from './operation.js';
import { reconcile, windDown } from './reconcile.js';

/*
 * The reactions, in the words of the table:
 * - reconcile:   with no operation, start what should run, or begin the reload an outdated
 *                instance needs (the file's strategy).
 * - advance:     move the operation under way forward as far as the facts allow; when it ends,
 *                reconcile.
 * - defer:       the new revision is recorded and waits: the operation under way finishes
 *                first (an edit or touch during a dance is applied after it).
 * - wind-down:   the wish is no longer up: end the operation, stop every instance (and forget
 *                the vassal once they are gone, if its file was removed).
 * - begin-dance: accept the dance and take its first step.
 * - queue:       accept the dance; it begins when the operation under way ends.
 * - refuse:      answer the command with a refusal; nothing changes.
 * - nothing:     the fact is recorded; it changes no decision.
 * `advance` and `defer` share their mechanism on purpose: an operation only looks at its own
 * instances, so advancing it never applies a newer revision early.
 */
export type Reaction = 'reconcile' | 'advance' | 'defer' | 'wind-down' | 'begin-dance' | 'queue' | 'refuse' | 'nothing';

export type LifecycleTable = { readonly [O in OperationKey]: { readonly [E in EventKind]: Reaction } };

// The cells every operation row shares: commands and removal end or wait for the operation.
const DURING_AN_OPERATION = {
  'file-loaded': 'defer',
  'file-invalid': 'advance', // the operation is abandoned; what runs keeps running
  'file-removed': 'wind-down',
  'sockets-held': 'advance',
  'sockets-failed': 'advance',
  spawned: 'advance',
  'spawn-failed': 'advance',
  ready: 'advance',
  'status-text': 'nothing',
  'peers-ready': 'advance',
  'dependents-stopping': 'advance',
  'uwsgi-byte': 'advance',
  exited: 'advance',
  'fleet-granted': 'advance',
  'fleet-standby': 'advance', // without the claim, the operation ends and everything stops
  'command:start': 'advance',
  'command:stop': 'wind-down',
  'command:reload': 'defer',
  'command:dance': 'queue',
  shutdown: 'wind-down',
  retry: 'advance',
  tick: 'advance',
} as const satisfies LifecycleTable[OperationKey];

const DURING_A_DANCE = { ...DURING_AN_OPERATION, 'command:dance': 'refuse' } as const satisfies LifecycleTable[OperationKey];

export const LIFECYCLE = {
  none: {
    'file-loaded': 'reconcile',
    'file-invalid': 'nothing', // shown broken; the last valid instance keeps serving
    'file-removed': 'wind-down',
    'sockets-held': 'reconcile',
    'sockets-failed': 'nothing', // shown broken until the file changes or `start`
    spawned: 'reconcile',
    'spawn-failed': 'reconcile',
    ready: 'reconcile',
    'status-text': 'nothing',
    'peers-ready': 'reconcile', // a vassal it waits for (`after`) may be ready now
    'dependents-stopping': 'reconcile', // winding down, the dependents it stops after may be gone now
    'uwsgi-byte': 'reconcile',
    exited: 'reconcile',
    'fleet-granted': 'reconcile',
    'fleet-standby': 'reconcile', // a lost claim stops every instance
    'command:start': 'reconcile',
    'command:stop': 'wind-down',
    'command:reload': 'reconcile',
    'command:dance': 'begin-dance',
    shutdown: 'wind-down',
    retry: 'reconcile',
    tick: 'reconcile',
  },
  'stop-start': DURING_AN_OPERATION,
  'overlap:starting-new': DURING_AN_OPERATION,
  'overlap:stopping-old': DURING_AN_OPERATION,
  'in-place': DURING_AN_OPERATION,
  'dance:standin-starting': DURING_A_DANCE,
  'dance:main-stopping': DURING_A_DANCE,
  'dance:main-starting': DURING_A_DANCE,
  'dance:standin-stopping': DURING_A_DANCE,
} as const satisfies LifecycleTable;

export const REACTIONS: { readonly [R in Reaction]: (d: Draft) => void } = {
  reconcile,
  advance: reconcile,
  defer: reconcile,
  'wind-down': windDown,
  'begin-dance': (d) => {
    beginDance(d);
    reconcile(d);
  },
  queue: reconcile,
  refuse: () => undefined,
  nothing: () => undefined,
};
