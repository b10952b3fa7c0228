// The supervisord config of the seeds' zerg-mode exercise (galaxy.conf), read from the seed itself.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SEED = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'seeds', 'zerg-mode-exercise.md');

export function seedSupervisordConfig(): string {
  const text = readFileSync(SEED, 'utf8');
  const m = /The contents of the new galaxy\.conf are:\s*```ini\n([\s\S]*?)```/.exec(text);
  if (!m?.[1]) throw new Error(`no galaxy.conf in ${SEED}`);
  return m[1];
}
