// Where a command's program is, the way execvp would find it. Used by the runtime and `emperor check`.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

// Find the program a command runs: paths with a slash are taken as they are (against cwd), bare names go through PATH
export function findExecutable(cmd: string, pathEnv: string, cwd: string): string | undefined {
  if (cmd === '' || cmd.includes('\0')) return undefined;
  if (cmd.includes('/')) {
    const candidate = path.resolve(cwd, cmd);
    return isExecutableFile(candidate) ? candidate : undefined;
  }
  // POSIX: an empty PATH entry means the current directory.
  for (const dir of pathEnv.split(path.delimiter)) {
    const candidate = path.resolve(cwd, dir === '' ? '.' : dir, cmd);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    // No exception for a missing file: PATH lookups miss in most directories, and building an
    // error with its stack for each miss was a visible part of starting thousands of vassals.
    if (statSync(file, { throwIfNoEntry: false })?.isFile() !== true) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// Why a program cannot be run: the same words from `emperor check`, a load and a spawn
export function programNotFound(program: string, cwd: string): string {
  return `command not found: ${program} (not executable in cwd ${cwd} nor on PATH)`;
}
