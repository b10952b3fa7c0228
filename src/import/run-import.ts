// One entry point for the three importers, so the CLI stays a thin command.
import { importGravity } from './gravity/import-gravity.js';
import type { ImportResult } from './imported-vassal.js';
import { importPm2 } from './pm2/import-pm2.js';
import type { ImportSource } from './render-vassal.js';
import { importSupervisord } from './supervisord/import-supervisord.js';

export { IMPORT_SOURCES } from './import-sources.js';

export interface ImportOptions {
  /** The environment `%(ENV_X)s` and PATH read. */
  readonly env: NodeJS.ProcessEnv;
  /** PM2's `--env NAME`: env_NAME is merged over env. */
  readonly pm2Env?: string | undefined;
}

export function runImporter(source: ImportSource, files: readonly string[], opts: ImportOptions): Promise<ImportResult> {
  switch (source) {
    case 'supervisord':
      return importSupervisord(files, { env: opts.env });
    case 'gravity':
      return importGravity(files, { env: opts.env });
    case 'pm2':
      return importPm2(files, { env: opts.env, envName: opts.pm2Env });
  }
}
