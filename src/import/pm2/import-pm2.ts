// `emperor import pm2 ecosystem.config.js`: each app of apps[] as vassals (one per instance in
// fork mode), PM2's keys mapped onto the emperor's, the rest listed.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { collectImport, ImportInputError } from '../imported-vassal.js';
import type { ImportedVassal, ImportResult } from '../imported-vassal.js';
import { readInput } from '../read-input.js';
import { loadEcosystem } from './load-ecosystem.js';
import { mapApp } from './map-app.js';

export interface Pm2Options {
  readonly env: NodeJS.ProcessEnv;
  /** `--env NAME`: env_NAME merged over env. */
  readonly envName: string | undefined;
}

export function importPm2(files: readonly string[], opts: Pm2Options): Promise<ImportResult> {
  return collectImport(async () => {
    const vassals: ImportedVassal[] = [];
    const warnings: string[] = [];
    for (const given of files) {
      const file = path.resolve(given);
      const loaded = await loadEcosystem(file);
      const apps = appsOf(loaded);
      if (apps === undefined) throw new ImportInputError({ file, line: 1, message: 'expected { apps: [ { name, script, … } ] } (or a list of apps)' });
      const text = await readInput(file);
      apps.forEach((app, index) => {
        const name = typeof app === 'object' && app !== null ? (app as Record<string, unknown>).name : undefined;
        const line = lineOf(text, typeof name === 'string' ? name : 'script');
        const fail = (message: string): never => {
          throw new ImportInputError({ file, line, message: `apps[${index}]${typeof name === 'string' ? ` (${name})` : ''}: ${message}` });
        };
        if (typeof app !== 'object' || app === null || Array.isArray(app)) fail('expected an app object { name, script, … }');
        const mapped = mapApp(app as Record<string, unknown>, { file, index, envName: opts.envName, cpus: availableParallelism(), fail });
        for (const v of mapped) {
          vassals.push(v);
          for (const u of v.unmapped) warnings.push(`${file}:${line}: ${v.name}: not mapped: ${u}`);
        }
      });
      if (opts.envName !== undefined && !apps.some((a) => typeof a === 'object' && a !== null && Object.hasOwn(a, `env_${opts.envName ?? ''}`))) {
        warnings.push(`${file}: --env ${opts.envName}: no app has env_${opts.envName}`);
      }
    }
    const names = new Set<string>();
    for (const v of vassals) {
      if (names.has(v.name)) throw new ImportInputError({ file: files.join(', '), line: 0, message: `two apps are named ${v.name} (the second: ${v.origin}); give each its own name` });
      names.add(v.name);
    }
    return { vassals, warnings };
  });
}

function appsOf(loaded: unknown): unknown[] | undefined {
  if (Array.isArray(loaded)) return loaded;
  if (typeof loaded !== 'object' || loaded === null) return undefined;
  const root = loaded as Record<string, unknown>;
  if (Array.isArray(root.apps)) return root.apps;
  if (typeof root.script === 'string') return [root];
  return undefined;
}

// The first line that names the app (its name string), for file:line in problems
function lineOf(text: string, needle: string): number {
  const i = text.search(new RegExp(`["'\`]${needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["'\`]`));
  return i === -1 ? 0 : text.slice(0, i).split('\n').length;
}
