// The names `emperor import` takes, apart from the importers so that the CLI's help can list
// them without loading any importer.
import type { ImportSource } from './render-vassal.js';

export const IMPORT_SOURCES: readonly ImportSource[] = ['supervisord', 'gravity', 'pm2'];
