// The `emperor` section: raw mapping -> WrittenVassal, every key type-checked, every problem collected.
import { describeValue, isMapping } from './describe-value.js';
import { readFlag } from './read-flag.js';
import { readAccountKey } from './read-account-keys.js';
import { readAfter } from './read-after.js';
import { readDirs } from './read-dirs.js';
import { readProcessKeys } from './read-process-keys.js';
import { readRestartKeys } from './read-restart-keys.js';
import { readSockets } from './read-sockets.js';
import { readStandin } from './read-standin.js';
import { rejectUnknownKeys } from './unknown-keys.js';
import type { Report } from './report.js';
import type { ReloadStrategy } from '../core/spec.js';
import { EMPEROR_KEYS, RELOAD_STRATEGIES } from './written-vassal.js';
import type { WrittenVassal } from './written-vassal.js';

// Type-check a raw `emperor` section (undefined when the file has none); baseDir resolves relative paths
export function readEmperorSection(raw: unknown, report: Report, baseDir: string): WrittenVassal | undefined {
  if (raw === undefined) return { hasCommandKey: false };
  if (!isMapping(raw)) {
    report.error('emperor', `expected a mapping of emperor settings (command, cwd, env, …), got ${describeValue(raw)}`);
    return undefined;
  }
  rejectUnknownKeys(raw, 'emperor', EMPEROR_KEYS, report);
  return {
    ...readProcessKeys(raw, 'emperor', report),
    ...(Object.hasOwn(raw, 'user') ? { user: readAccountKey(raw.user, 'emperor.user', 'user', report) } : {}),
    ...(Object.hasOwn(raw, 'group') ? { group: readAccountKey(raw.group, 'emperor.group', 'group', report) } : {}),
    ...(Object.hasOwn(raw, 'reload') ? { reload: readReload(raw.reload, report) } : {}),
    ...(Object.hasOwn(raw, 'sockets') ? { sockets: readSockets(raw.sockets, 'emperor.sockets', report, baseDir) } : {}),
    ...(Object.hasOwn(raw, 'standin') ? { standin: readStandin(raw.standin, 'emperor.standin', report, baseDir) } : {}),
    restart: readRestartKeys(raw, report),
    ...(Object.hasOwn(raw, 'after') ? { after: readAfter(raw.after, 'emperor.after', report) } : {}),
    ...(Object.hasOwn(raw, 'dirs') ? { dirs: readDirs(raw.dirs, 'emperor.dirs', report, baseDir) } : {}),
    ...(Object.hasOwn(raw, 'singleton') ? { singleton: readSingleton(raw.singleton, report) } : {}),
    ...(Object.hasOwn(raw, 'warm-standin') ? { warmStandin: readFlag(raw['warm-standin'], 'emperor.warm-standin', report) } : {}),
    hasCommandKey: Object.hasOwn(raw, 'command'),
  };
}

// true or false; INI files can only write strings, so "true"/"false" (and yes/no, on/off) count too.
function readSingleton(raw: unknown, report: Report): 'fleet' | undefined {
  if (raw === 'fleet') return 'fleet';
  report.error('emperor.singleton', `expected fleet (one instance across the whole fleet of emperors, see docs/fleet.md), got ${describeValue(raw)}`);
  return undefined;
}

function readReload(raw: unknown, report: Report): ReloadStrategy | undefined {
  const found = RELOAD_STRATEGIES.find((strategy) => strategy === raw);
  if (found === undefined) report.error('emperor.reload', `expected one of ${RELOAD_STRATEGIES.join(', ')}, got ${describeValue(raw)}`);
  return found;
}
