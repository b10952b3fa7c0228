import type { ImportResult } from '../imported-vassal.js';
export function importGravity(_files: readonly string[], _opts: { env: NodeJS.ProcessEnv }): Promise<ImportResult> {
  return Promise.resolve({ ok: true, vassals: [], warnings: [] });
}
