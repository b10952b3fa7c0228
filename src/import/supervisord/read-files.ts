// The files of a supervisord configuration: each file named on the command line, then the files
// its `[include] files =` globs match (relative to that file's directory, sorted, as supervisord
// does; only the named files' includes are followed, as supervisord follows only the main file's).
import { hostname } from 'node:os';
import path from 'node:path';
import { ImportInputError } from '../imported-vassal.js';
import { readInput } from '../read-input.js';
import { readSupervisordText, SupervisordConfig } from './config-parser.js';
import { percentFormat } from './percent-format.js';
import { pythonGlob } from './python-glob.js';

export interface ReadConfig {
  readonly config: SupervisordConfig;
  readonly files: readonly string[];
  readonly warnings: string[];
}

export async function readSupervisordFiles(files: readonly string[], env: NodeJS.ProcessEnv): Promise<ReadConfig> {
  const config = new SupervisordConfig();
  const read: string[] = [];
  const warnings: string[] = [];
  for (const given of files) {
    const file = path.resolve(given);
    await readOne(config, file, read);
    const include = config.sections.get('include');
    const files = include?.options.get('files');
    if (!include || !files || files.file !== file) continue;
    const here = path.dirname(file);
    const expanded = percentFormat(files.value, { here, host_node_name: hostname(), ...envExpansions(env) });
    if (!expanded.ok) throw new ImportInputError({ file, line: files.line, message: `[include] files: ${expanded.message}` });
    for (const pattern of expanded.text.split(/\s+/).filter(Boolean)) {
      const absolute = path.resolve(here, pattern);
      const matches = await pythonGlob(absolute);
      if (matches.length === 0) warnings.push(`${file}:${files.line}: [include] files: no file matches ${absolute}`);
      for (const match of matches.sort()) await readOne(config, match, read);
    }
  }
  return { config, files: read, warnings };
}

async function readOne(config: SupervisordConfig, file: string, read: string[]): Promise<void> {
  if (read.includes(file)) return;
  const text = await readInput(file);
  const problems = readSupervisordText(config, text, file);
  const first = problems[0];
  if (first) throw new ImportInputError(first);
  read.push(file);
}

/** `%(ENV_X)s` for every variable of the environment `emperor import` runs in, as supervisord offers its own. */
export function envExpansions(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[`ENV_${k}`] = v;
  return out;
}
