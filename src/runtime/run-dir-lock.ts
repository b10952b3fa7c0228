// One emperor per run directory: a pid file naming the owner, checked against /proc so that a
// stale file left by a killed emperor (or a reused pid) does not block a new one.
import { mkdirSync, openSync, readFileSync, unlinkSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { EmperorError } from '../errors.js';
import { readProcStat } from './process-group.js';

export interface RunDirLock {
  release(): void;
}

// Takes the run directory for this process, or throws EMP_ERR_RUN_DIR_LOCKED naming the owner's pid.
export function lockRunDir(runDir: string): RunDirLock {
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const file = join(runDir, 'emperor.pid');
  const me = readProcStat(process.pid);
  const content = JSON.stringify({ pid: process.pid, startTime: me?.startTime ?? 0 }) + '\n';
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeFileSync(fd, content);
      closeSync(fd);
      return { release: () => releaseIfOurs(file) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner(file);
    if (owner && owner.pid !== process.pid) {
      const st = readProcStat(owner.pid);
      if (st && st.state !== 'Z' && st.startTime === owner.startTime) {
        throw new EmperorError('EMP_ERR_RUN_DIR_LOCKED', `another emperor (pid ${owner.pid}) is already running with run dir ${runDir}; stop it first, or give this one its own --run-dir`);
      }
    }
    try {
      unlinkSync(file); // stale: its emperor is gone
    } catch {
      // someone else removed it first
    }
  }
  throw new EmperorError('EMP_ERR_RUN_DIR_LOCKED', `cannot take ${file}: another emperor keeps creating it`);
}

function readOwner(file: string): { pid: number; startTime: number } | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; startTime?: unknown };
    if (typeof parsed.pid === 'number' && typeof parsed.startTime === 'number') return { pid: parsed.pid, startTime: parsed.startTime };
  } catch {
    // unreadable or half-written: treat as stale
  }
  return undefined;
}

function releaseIfOurs(file: string): void {
  if (readOwner(file)?.pid === process.pid) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
}
