// `dirs`: the directories an instance needs, created before it starts (systemd's
// StateDirectory=). Only a missing directory is made: mode 0700, owned by the vassal's user
// when the emperor is root; its missing parents get the default mode, owned by the emperor.
// An existing directory is left exactly as it is.
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ProcessSpec } from '../core/spec.js';

// Returns why a directory could not be made, or null.
export function makeStateDirs(p: ProcessSpec, emperorUid: number = process.getuid?.() ?? 0): string | null {
  for (const dir of p.dirs ?? []) {
    if (existsSync(dir)) continue;
    try {
      mkdirSync(path.dirname(dir), { recursive: true });
      mkdirSync(dir, { mode: 0o700 });
      if (p.runAs && emperorUid === 0) chownSync(dir, p.runAs.uid, p.runAs.gid);
    } catch (err) {
      return `dirs: cannot create ${dir}: ${(err as Error).message}`;
    }
  }
  return null;
}
