// The daemon's run directory, made ready before anything starts, or a usage error naming the
// path and the reason. Checked first: a path on a virtual filesystem (mkdir -p under /proc
// never returns in Node 20) and one under a file (`/etc/passwd/x`).
import { accessSync, constants, mkdirSync, statSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { usageError } from './exit-codes.js';

/** statfs(2) f_type of filesystems that hold no files of ours (linux/magic.h). */
const VIRTUAL_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
  [0x65735543, 'fusectl'],
  [0x42494e4d, 'binfmt_misc'],
  [0xde5e81e4, 'efivarfs'],
]);

// Create the run directory (0700) if needed and make sure the emperor can write in it
export function prepareRunDir(runDir: string): void {
  const fail = (why: string): never => {
    throw usageError(`--run-dir ${runDir}: ${why}`);
  };
  const existing = nearestExisting(runDir);
  let isDirectory = false;
  try {
    isDirectory = statSync(existing).isDirectory();
  } catch (err) {
    fail(`cannot be used: ${(err as Error).message}`);
  }
  if (!isDirectory) fail(existing === runDir ? 'exists and is not a directory' : `cannot be created: ${existing} is not a directory`);
  const fs = VIRTUAL_FILESYSTEMS.get(statfsSync(existing).type);
  if (fs !== undefined) fail(`is on a virtual filesystem (${fs}), which cannot hold the emperor's files; choose a directory such as /run/emperor`);
  try {
    // Asked of the closest existing directory first: a recursive mkdir under a read-only mount
    // fails with a misleading ENOENT.
    accessSync(existing, constants.W_OK | constants.X_OK);
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
    accessSync(runDir, constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EROFS') fail('is on a read-only filesystem');
    if (code === 'EACCES' || code === 'EPERM') fail(existing === runDir ? 'is not writable by this user (permission denied)' : `cannot be created: ${existing} is not writable by this user (permission denied)`);
    fail(`cannot be created: ${(err as Error).message}`);
  }
}

// The path itself, or its closest ancestor that exists.
function nearestExisting(path: string): string {
  for (let p = path; ; p = dirname(p)) {
    try {
      statSync(p);
      return p;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') continue; // a file on the way: its parent tells
      if (code !== 'ENOENT' || dirname(p) === p) return p;
    }
  }
}
