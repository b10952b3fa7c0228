import type { ImportResult } from '../imported-vassal.js';
export function importPm2(_files: readonly string[], _opts: { env: NodeJS.ProcessEnv; envName: string | undefined }): Promise<ImportResult> {
  return Promise.resolve({ ok: true, vassals: [], warnings: [] });
}
