// Commands on several vassals (`stop a b c`, `reload --all`): which vassals, run in parallel
// with each waiting for its own outcome, then one line per vassal and one exit status.
import type { ControlClient } from '../../control/client.js';
import type { ActionOutcome } from '../../control/supervisor-port.js';
import type { VassalStatus } from '../../core/status.js';
import { EmperorError } from '../../errors.js';
import { usageError } from '../exit-codes.js';
import { formatTable, painter, useColour } from '../output.js';

/** Requests in flight at once: `--all` on a thousand vassals must not open a thousand sockets. */
const PARALLEL = 32;

export interface Result {
  readonly name: string;
  readonly ok: boolean;
  readonly message: string;
}

// The names asked for: NAME..., or every vassal `all` keeps with --all (never both, never neither).
export async function pickTargets(client: ControlClient, names: readonly string[], all: boolean, keep: (v: VassalStatus) => boolean, what: string): Promise<string[]> {
  if (names.length > 0 && all) throw usageError('give NAMEs or --all, not both');
  if (names.length > 0) return [...new Set(names)];
  if (!all) throw usageError(`name the vassal(s) to ${what}, or use --all`);
  return (await client.list()).filter(keep).map((v) => v.name);
}

// An action's outcome, with a refusal (unknown vassal, broken, …) as a failed outcome in the
// same words; only "no emperor" is thrown, since it fails every target alike.
export async function outcomeOf(run: () => Promise<ActionOutcome>): Promise<ActionOutcome> {
  try {
    return await run();
  } catch (err) {
    return refusedOutcome(err);
  }
}

// A refusal as a failed outcome; anything else is thrown again.
export function refusedOutcome(err: unknown): ActionOutcome {
  if (err instanceof EmperorError && err.code !== 'EMP_ERR_UNREACHABLE') return { ok: false, message: err.message, status: null };
  throw err;
}

// Runs `each` on every name, at most PARALLEL at a time; results in the order of `names`.
export async function forEachTarget(names: readonly string[], each: (name: string) => Promise<Result>): Promise<Result[]> {
  const results: Result[] = new Array<Result>(names.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < names.length; i = next++) results[i] = await each(names[i] ?? '');
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, names.length) }, worker));
  return results;
}

// The message without the leading "name: " the emperor's outcomes carry (the table has a NAME column).
function withoutName(r: Result): string {
  return r.message.startsWith(`${r.name}: `) ? r.message.slice(r.name.length + 2) : r.message;
}

// The per-vassal table; exit status 1 when any failed.
export function printResults(results: readonly Result[]): number {
  const paint = painter(useColour());
  if (results.length === 0) {
    process.stdout.write('no vassal matched: nothing to do\n');
    return 0;
  }
  const rows = results.map((r) => [r.name, r.ok ? 'ok' : 'failed', withoutName(r)]);
  const table = formatTable(['NAME', 'RESULT', 'MESSAGE'], rows, (row, col, padded) => (col === 1 ? paint(results[row]?.ok ? 'green' : 'red', padded) : padded));
  process.stdout.write(`${table}\n`);
  const failed = results.filter((r) => !r.ok).length;
  if (failed > 0) process.stderr.write(`${failed} of ${results.length} failed\n`);
  return failed > 0 ? 1 : 0;
}
