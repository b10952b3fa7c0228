// One emperor per vassals directory, whatever its run directory: two emperors on one directory
// would run every vassal twice (a singleton worker too). The lock is `.emperor.lock` in the
// directory itself (a dotfile: never a vassal), so every path to the directory (symlinks, bind
// mounts) meets the same file. When the directory is not writable (a read-only mount, or an
// emperor that is not root), the lock is taken in a shared lock directory instead, under a name
// derived from the directory's real path, and `.emperor.lock` is still checked.
import { createHash } from 'node:crypto';
import { accessSync, constants, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmperorError } from '../errors.js';
import { liveLockOwner, takePidLock, type LockOwner } from './run-dir-lock.js';

export const VASSALS_DIR_LOCK_NAME = '.emperor.lock';

export interface VassalsDirLock {
  /** The lock file this emperor holds. */
  readonly file: string;
  /** A dead emperor whose lock was taken over (its run dir may hold its leftovers). */
  readonly stale: LockOwner | undefined;
  release(): void;
}

const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

// Takes the vassals directory for this emperor, or throws naming the live emperor that has it.
// `warn` is told when the directory is not writable and the fallback lock is used.
export function lockVassalsDir(vassalsDir: string, runDir: string, warn: (message: string) => void): VassalsDirLock {
  const real = realpathSync(vassalsDir);
  const inDir = join(real, VASSALS_DIR_LOCK_NAME);
  const keyed = keyedLockFile(real);
  const info = { runDir, vassalsDir: real };
  let taken;
  try {
    taken = takePidLock(inDir, info);
  } catch (err) {
    if (!NOT_WRITABLE.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    const other = liveLockOwner(inDir);
    if (other) throw refused(real, other);
    const fallback = takePidLock(keyed, info);
    if (!fallback.ok) throw refused(real, fallback.owner);
    warn(`cannot write ${inDir} (${(err as NodeJS.ErrnoException).code}): locked ${real} with ${keyed} instead; emperors that can write the directory check it too`);
    return { file: keyed, stale: fallback.stale, release: fallback.lock.release };
  }
  if (!taken.ok) throw refused(real, taken.owner);
  // An emperor that could not write the directory holds the keyed lock instead.
  const other = liveLockOwner(keyed);
  if (other) {
    taken.lock.release();
    throw refused(real, other);
  }
  return { file: inDir, stale: taken.stale, release: taken.lock.release };
}

// Where the lock of an unwritable vassals directory lives: /run/lock (the FHS lock directory,
// shared by every user and untouched by systemd's PrivateTmp) when writable, else the temp dir.
function keyedLockFile(realDir: string): string {
  const key = createHash('sha256').update(realDir).digest('hex').slice(0, 16);
  let dir = '/run/lock';
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    dir = tmpdir();
  }
  return join(dir, `emperor-vassals-${key}.lock`);
}

function refused(realDir: string, owner: LockOwner): EmperorError {
  const where = owner.runDir ? ` with run dir ${owner.runDir}` : '';
  return new EmperorError(
    'EMP_ERR_RUN_DIR_LOCKED',
    `another emperor (pid ${owner.pid})${where} is already running the vassals in ${realDir}; two emperors would run every vassal twice: stop it first`,
  );
}
