// Signal names as users write them: "SIGTERM", "TERM" or "term".
import { constants } from 'node:os';
import { describeValue } from './describe-value.js';

type SignalResult = { readonly ok: true; readonly signal: NodeJS.Signals } | { readonly ok: false; readonly message: string };

// Normalise a written signal name to NodeJS.Signals, accepting it only if this OS knows it
export function parseSignal(raw: unknown): SignalResult {
  const fail = { ok: false, message: `expected a signal name like SIGTERM, TERM or SIGINT, got ${describeValue(raw)}` } as const;
  if (typeof raw !== 'string') return fail;
  const upper = raw.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return Object.hasOwn(constants.signals, name) ? { ok: true, signal: name as NodeJS.Signals } : fail;
}
