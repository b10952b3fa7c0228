// Claiming the control socket path: a stale socket file is replaced, a live one is refused.
import { chmod, chown, lstat, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EmperorError } from '../errors.js';
import { isServed } from '../lib/is-served.js';

// Makes `path` free to bind: creates its directory (0700, or 0750 of the control group so its
// members can reach the socket) and removes a dead socket left behind.
export async function claimSocketPath(path: string, groupId?: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  if (groupId !== undefined) {
    await chown(dirname(path), process.getuid?.() ?? 0, groupId);
    await chmod(dirname(path), 0o750);
  }
  const stat = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!stat) return;
  if (!stat.isSocket()) {
    throw new EmperorError('EMP_ERR_RUN_DIR_LOCKED', `${path} exists and is not a socket: remove it or use --control to pick another path`);
  }
  const served = await isServed(path).catch((err: Error) => {
    throw new EmperorError('EMP_ERR_RUN_DIR_LOCKED', `cannot tell whether ${path} is in use: ${err.message}`, { cause: err });
  });
  if (served) {
    throw new EmperorError('EMP_ERR_RUN_DIR_LOCKED', `another emperor is serving ${path}: stop it first or use --run-dir/--control`);
  }
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}
