// Which files of a vassals directory are vassals, as the daemon's watcher sees them, and the
// rule that one name has one file: shared by the daemon and `emperor check`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isVassalFileName } from './vassal-file-name.js';

// The vassal files of `dir` (absolute, sorted): vassal names that are not directories (nor dangling links)
export function vassalFilesIn(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!isVassalFileName(name)) continue;
    const file = join(dir, name);
    try {
      if (!statSync(file).isDirectory()) files.push(file);
    } catch {
      // vanished, or a link to nothing: the watcher does not report it either
    }
  }
  return files;
}

// Which keys under an etcd prefix are vassal files: those directly under it (deeper keys are
// like subdirectories) named like a vassal file; shared by the daemon and `emperor check`.
export function isEtcdVassalKey(prefix: string, key: string): boolean {
  if (!key.startsWith(prefix)) return false;
  const rest = key.slice(prefix.length);
  return !rest.includes('/') && isVassalFileName(rest);
}

// Why a second file with the same vassal name (app.yml next to app.ini) is broken
export function duplicateNameProblem(name: string, owner: string): string {
  return `the vassal name "${name}" is already used by ${owner}; rename or remove one of them`;
}
