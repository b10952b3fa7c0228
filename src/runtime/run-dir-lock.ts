// Pid-file locks. One emperor per run directory: `emperor.pid` in it names the owner. The same
// mechanism backs the vassals-directory lock (vassals-dir-lock.ts). A lock file holds the owner's
// pid and /proc start time, so a stale file left by a killed emperor (or a reused pid) does not
// block a new one: it is taken over.
import { closeSync, fstatSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmperorError } from '../errors.js';
import { readProcStat } from './process-group.js';

export interface RunDirLock {
  release(): void;
}

/** What a lock file says about the emperor that holds it. */
export interface LockOwner {
  readonly pid: number;
  readonly startTime: number;
  /** The owner's run directory and vassals directory, when it wrote them. */
  readonly runDir?: string;
  readonly vassalsDir?: string;
}

export type PidLockResult =
  /** Taken; `stale` is the dead emperor whose leftover lock file was taken over, if any. */
  | { readonly ok: true; readonly lock: RunDirLock; readonly stale: LockOwner | undefined }
  | { readonly ok: false; readonly owner: LockOwner };

// Creates `file` (exclusively, with `mode`) naming this process and `info`, taking over a stale file,
// or reports the live emperor that holds it. Errors other than "exists" (EACCES, EROFS …) are thrown.
export function takePidLock(file: string, info: { readonly runDir?: string; readonly vassalsDir?: string } = {}, mode = 0o644): PidLockResult {
  const me = readProcStat(process.pid);
  const content = JSON.stringify({ pid: process.pid, startTime: me?.startTime ?? 0, ...info }) + '\n';
  let stale: LockOwner | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      createWhole(file, content, mode);
      return { ok: true, lock: { release: () => releaseIfOurs(file) }, stale };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const found = readLockFile(file);
    if (found && namesLiveOwner(found)) return { ok: false, owner: found.owner };
    stale ??= trustedStale(found);
    try {
      unlinkSync(file); // stale: its emperor is gone
    } catch {
      // someone else removed it first
    }
  }
  throw new EmperorError('EMP_ERR_RUN_DIR_LOCKED', `cannot take ${file}: another emperor keeps creating it`);
}

// The live emperor that holds `file`, if any (a missing, unreadable or stale file: undefined).
export function liveLockOwner(file: string): LockOwner | undefined {
  const found = readLockFile(file);
  return found && namesLiveOwner(found) ? found.owner : undefined;
}

// Takes the run directory for this process, or throws EMP_ERR_RUN_DIR_LOCKED naming the owner's pid.
export function lockRunDir(runDir: string): RunDirLock {
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const taken = takePidLock(join(runDir, 'emperor.pid'), {}, 0o600);
  if (!taken.ok) {
    throw new EmperorError('EMP_ERR_RUN_DIR_LOCKED', `another emperor (pid ${taken.owner.pid}) is already running with run dir ${runDir}; stop it first, or give this one its own --run-dir`);
  }
  return taken.lock;
}

// Creates `file` with `content`, failing with EEXIST if it exists. The file is written under a
// temporary name and hard-linked into place, so no reader ever sees it half-written (and takes
// it for stale); where hard links are not supported, it is created in place with O_EXCL.
function createWhole(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    unlinkSync(tmp); // left by an emperor that had our pid and died here
  } catch {
    // the usual case
  }
  writeFileSync(tmp, content, { mode, flag: 'wx' });
  try {
    linkSync(tmp, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    const fd = openSync(file, 'wx', mode);
    try {
      writeFileSync(fd, content);
    } finally {
      closeSync(fd);
    }
  } finally {
    unlinkSync(tmp);
  }
}

interface LockFile {
  readonly owner: LockOwner;
  /** Who wrote the file. */
  readonly uid: number;
}

function readLockFile(file: string): LockFile | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const uid = fstatSync(fd).uid;
    const parsed = JSON.parse(readFileSync(fd, 'utf8')) as Partial<Record<keyof LockOwner, unknown>>;
    if (typeof parsed.pid !== 'number' || typeof parsed.startTime !== 'number') return undefined;
    const owner = {
      pid: parsed.pid,
      startTime: parsed.startTime,
      ...(typeof parsed.runDir === 'string' ? { runDir: parsed.runDir } : {}),
      ...(typeof parsed.vassalsDir === 'string' ? { vassalsDir: parsed.vassalsDir } : {}),
    };
    return { owner, uid };
  } catch {
    return undefined; // unreadable or half-written: treat as stale
  } finally {
    closeSync(fd);
  }
}

// Whether the file names a live emperor. It is believed only if root wrote it or the user of the
// process it names: whoever can write the directory could otherwise name any live process (say
// pid 1) and keep every emperor out.
function namesLiveOwner(lock: LockFile): boolean {
  const { pid, startTime } = lock.owner;
  if (pid === process.pid) return false;
  const st = readProcStat(pid);
  if (st === undefined || st.state === 'Z' || st.state === 'X' || st.startTime !== startTime) return false;
  try {
    return lock.uid === 0 || lock.uid === statSync(`/proc/${pid}`).uid;
  } catch {
    return false; // gone meanwhile
  }
}

// What a stale file says about the dead emperor, when written by root or by this emperor's own
// user: its run dir is acted upon (its leftovers stopped), so nobody else may choose it.
function trustedStale(lock: LockFile | undefined): LockOwner | undefined {
  return lock && (lock.uid === 0 || lock.uid === process.geteuid?.()) ? lock.owner : undefined;
}

function releaseIfOurs(file: string): void {
  if (readLockFile(file)?.owner.pid === process.pid) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
}
