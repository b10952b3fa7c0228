// supervisord's `priority` (lower starts first, default 999) as the emperor's start order: each
// process waits (`after`) for the processes of the next lower priority that start by themselves.
import type { ImportedVassal } from '../imported-vassal.js';
import type { IniSection } from './config-parser.js';

/** One process of a program, before start order is known. */
export interface ProgramProcess {
  readonly vassal: ImportedVassal;
  /** The [program:x] section it comes from (for problems). */
  readonly section: IniSection;
  readonly priority: number;
  /** autostart: false processes are written under disabled/ and nothing waits for them. */
  readonly enabled: boolean;
}

// The vassals in supervisord's start order (priority, then name), each with `after` where a lower priority exists
export function orderByPriority(processes: readonly ProgramProcess[]): ImportedVassal[] {
  const sorted = [...processes].sort((a, b) => a.priority - b.priority || (a.vassal.name < b.vassal.name ? -1 : a.vassal.name > b.vassal.name ? 1 : 0));
  const starters = sorted.filter((p) => p.enabled);
  return sorted.map((p) => {
    const lower = starters.filter((q) => q.priority < p.priority);
    const level = Math.max(...lower.map((q) => q.priority));
    const before = lower.filter((q) => q.priority === level).map((q) => q.vassal.name);
    if (before.length === 0) return p.vassal;
    return {
      ...p.vassal,
      emperor: { ...p.vassal.emperor, after: before },
      approximate: [
        ...p.vassal.approximate,
        `priority = ${p.priority}: starts after ${before.join(', ')} (priority ${level}) ${before.length === 1 ? 'is' : 'are'} ready; supervisord only orders the starts and waits for none`,
      ],
    };
  });
}
