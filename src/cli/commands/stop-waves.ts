// The order of `emperor stop` for several vassals: those no other target needs first, then the
// ones they needed, as the emperor itself stops everything at shutdown. Stopped all at once,
// PostgreSQL could go before the handlers that still write to it.
import type { VassalStatus } from '../../core/status.js';

/** The targets in waves: each wave may stop together once the waves before it have stopped. */
export function stopWaves(targets: readonly string[], statuses: readonly Pick<VassalStatus, 'name' | 'after'>[]): string[][] {
  const after = new Map(statuses.map((s) => [s.name, s.after]));
  const left = new Set(targets);
  const waves: string[][] = [];
  while (left.size > 0) {
    // Needed by a target that is still up: it waits for a later wave.
    const needed = new Set([...left].flatMap((name) => after.get(name) ?? []));
    const wave = [...left].filter((name) => !needed.has(name));
    // A cycle of `after` (the emperor refuses to start such vassals, but files change): all at once.
    const next = wave.length > 0 ? wave : [...left];
    for (const name of next) left.delete(name);
    waves.push(next);
  }
  return waves;
}
