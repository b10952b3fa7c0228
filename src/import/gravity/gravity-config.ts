// Where a Gravity configuration lives: the `gravity:` section, the Galaxy config it serves, and
// the directories Gravity derives from them (galaxy_root, data_dir/gravity, log_dir), found the
// way Gravity's config manager finds them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ImportInputError } from '../imported-vassal.js';
import { parseYamlInput, readInput } from '../read-input.js';
import { lineOfKey } from '../yaml-lines.js';
import { isMapping, SettingsReader } from './settings-reader.js';
import type { Source } from './settings-reader.js';

export interface GravityConfig {
  readonly source: Source;
  readonly gravity: SettingsReader;
  /** The `galaxy:` section (the app config). */
  readonly galaxy: Record<string, unknown>;
  readonly galaxyConfigFile: string;
  readonly galaxyRoot: string;
  readonly dataDir: string;
  readonly logDir: string;
  readonly virtualenv: string | undefined;
  readonly notes: string[];
}

async function readYamlFile(file: string): Promise<{ source: Source; root: unknown }> {
  const text = await readInput(file);
  return { source: { file, text }, root: parseYamlInput(text, file) };
}

export async function readGravityConfig(given: string, env: NodeJS.ProcessEnv): Promise<GravityConfig> {
  const file = path.resolve(given);
  const { source, root } = await readYamlFile(file);
  if (!isMapping(root)) throw new ImportInputError({ file, line: 1, message: 'expected a mapping with a gravity: section (galaxy.yml, or a Gravity config file)' });
  const notes: string[] = [];
  const rawGravity = root.gravity ?? {};
  if (!isMapping(rawGravity)) throw new ImportInputError({ file, line: lineOfKey(source.text, ['gravity']), message: 'gravity: expected a mapping of Gravity settings' });
  if (root.gravity === undefined) {
    if (!isMapping(root.galaxy)) throw new ImportInputError({ file, line: 1, message: 'neither a gravity: nor a galaxy: section; expected galaxy.yml or a Gravity config file' });
    notes.push('galaxy.yml has no gravity: section: Gravity runs it with every default');
  }
  const gravity = new SettingsReader(rawGravity, ['gravity'], source);
  let galaxy = isMapping(root.galaxy) ? root.galaxy : undefined;
  let galaxyConfigFile = file;
  const separate = gravity.get<string | undefined>('galaxy_config_file', 'string', undefined);
  if (galaxy === undefined) {
    if (separate === undefined) gravity.fail('galaxy_config_file', 'missing: this file has no galaxy: section, so Gravity needs galaxy_config_file to find it');
    galaxyConfigFile = path.resolve(path.dirname(file), separate ?? '');
    const other = await readYamlFile(galaxyConfigFile);
    galaxy = isMapping(other.root) && isMapping(other.root.galaxy) ? other.root.galaxy : {};
  }
  const galaxyRoot = findGalaxyRoot(gravity, galaxy, galaxyConfigFile, env);
  const dataDir = path.resolve(galaxyRoot, typeof galaxy.data_dir === 'string' ? galaxy.data_dir : 'database', 'gravity');
  const logDirSetting = gravity.get<string | undefined>('log_dir', 'string', undefined);
  const logDir = logDirSetting === undefined ? path.join(dataDir, 'log') : path.resolve(galaxyRoot, logDirSetting);
  if (logDirSetting === undefined) notes.push(`log_dir: Gravity's default, <data_dir>/gravity/log = ${logDir}`);
  const venv = gravity.get<string | undefined>('virtualenv', 'string', undefined);
  return {
    source,
    gravity,
    galaxy,
    galaxyConfigFile,
    galaxyRoot,
    dataDir,
    logDir,
    virtualenv: venv === undefined ? undefined : path.resolve(galaxyRoot, venv),
    notes,
  };
}

// gravity.galaxy_root, galaxy.root, $GALAXY_ROOT_DIR, or the parent of the config's directory when it holds lib/galaxy
function findGalaxyRoot(gravity: SettingsReader, galaxy: Record<string, unknown>, galaxyConfigFile: string, env: NodeJS.ProcessEnv): string {
  const configDir = path.dirname(galaxyConfigFile);
  const explicit = gravity.get<string | undefined>('galaxy_root', 'string', undefined) ?? (typeof galaxy.root === 'string' ? galaxy.root : undefined);
  if (explicit !== undefined) return path.resolve(configDir, explicit);
  if (env.GALAXY_ROOT_DIR) return path.resolve(env.GALAXY_ROOT_DIR);
  const parent = path.resolve(configDir, '..');
  if (existsSync(path.join(parent, 'lib', 'galaxy'))) return parent;
  return gravity.fail('galaxy_root', `cannot locate Galaxy's root directory (no lib/galaxy in ${parent}): set gravity.galaxy_root (Gravity needs it too), or $GALAXY_ROOT_DIR`);
}
