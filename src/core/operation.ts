// The multi-step operations a vassal can be in, and the key the lifecycle table is indexed by.
import { assertNever } from './assert-never.js';

export type DanceStep = 'standin-starting' | 'main-stopping' | 'main-starting' | 'standin-stopping';

/*
 * A multi-step operation in progress. Invariants:
 * - at most one operation at a time; 'none' when the vassal just keeps its instance running.
 * - overlap.newGen / dance.standinGen are null until the spawn effect for them is issued.
 * - a dance never spawns a main instance while another main instance exists (singletons
 *   are never doubled); its main-starting step begins only when no main is left.
 */
export type Operation =
  | { readonly kind: 'none' }
  | { readonly kind: 'stop-start'; readonly startedAt: number }
  | { readonly kind: 'overlap'; readonly step: 'starting-new' | 'stopping-old'; readonly newGen: number | null; readonly startedAt: number }
  | { readonly kind: 'in-place'; readonly generation: number; readonly startedAt: number }
  | {
      readonly kind: 'dance';
      readonly step: DanceStep;
      readonly standinGen: number | null;
      readonly startedAt: number;
      readonly stepStartedAt: number;
      /** New originals that died before becoming ready during this dance (degraded when > 0). */
      readonly mainFailures: number;
    };

/** One row of the lifecycle table: an operation, and for the stepped ones, its step. */
export type OperationKey =
  | 'none'
  | 'stop-start'
  | 'overlap:starting-new'
  | 'overlap:stopping-old'
  | 'in-place'
  | `dance:${DanceStep}`;

export function operationKey(op: Operation): OperationKey {
  switch (op.kind) {
    case 'none':
    case 'stop-start':
    case 'in-place':
      return op.kind;
    case 'overlap':
      return `overlap:${op.step}`;
    case 'dance':
      return `dance:${op.step}`;
    default:
      return assertNever(op);
  }
}

export const NO_OPERATION: Operation = { kind: 'none' };
