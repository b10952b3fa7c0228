// What the file system must offer before a vassal can start: its working directories exist
// and its programs can be found. A typo in `cwd` or `command` is a config error, reported with
// every other problem of the file (by the daemon and `emperor check` alike), not a crash loop.
import { statSync } from 'node:fs';
import { findExecutable, programNotFound } from './find-executable.js';
import type { Report } from './report.js';
import type { ProcessSpec } from '../core/spec.js';

/** How the checks see the file system; tests of the pure validation leave it out. */
export interface PathProbe {
  directoryProblem(dir: string): string | undefined;
  findProgram(program: string, pathEnv: string, cwd: string): string | undefined;
  /** The PATH instances inherit from the emperor (a vassal's env may override it). */
  readonly emperorPath: string;
}

export const REAL_PATH_PROBE: PathProbe = {
  directoryProblem,
  findProgram: findExecutable,
  get emperorPath() {
    return process.env.PATH ?? '';
  },
};

/** Where a process was written: the file, and the dotted key of its section ('emperor', 'emperor.standin'). */
export interface ProcessSource {
  readonly file: string;
  readonly prefix: string;
  /** A uWSGI vassal: the program is the emperor's --vassal-wrapper, not a key of the file. */
  readonly uwsgi: boolean;
}

// Check the working directory and the program of one process; `same` is a process already checked
export function checkProcessPaths(proc: ProcessSpec, source: ProcessSource, probe: PathProbe, report: Report, same?: ProcessSpec): void {
  const problem = (key: string, message: string): void => void report.errors.push({ file: source.file, key, message });
  const cwdProblem = proc.cwd === same?.cwd ? undefined : probe.directoryProblem(proc.cwd);
  if (cwdProblem !== undefined) problem(`${source.prefix}.cwd`, cwdProblem);
  // A relative program in a missing directory is not looked for: the cwd problem says it all.
  if (proc.command.kind !== 'argv' || probe.directoryProblem(proc.cwd) !== undefined) return;
  const program = proc.command.argv[0] ?? '';
  const pathEnv = proc.env.PATH ?? probe.emperorPath;
  if (same !== undefined && same.command.kind === 'argv' && same.command.argv[0] === program && same.cwd === proc.cwd && (same.env.PATH ?? probe.emperorPath) === pathEnv) return;
  if (probe.findProgram(program, pathEnv, proc.cwd) !== undefined) return;
  if (source.uwsgi) problem('', `cannot run this uWSGI vassal: ${programNotFound(program, proc.cwd)}; install uWSGI or point --vassal-wrapper at it`);
  else problem(`${source.prefix}.command`, programNotFound(program, proc.cwd));
}

function directoryProblem(dir: string): string | undefined {
  try {
    return statSync(dir).isDirectory() ? undefined : `expected a directory, got ${dir}, which is not one`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `expected an existing directory, got ${dir}, which does not exist; create it or fix the path`;
    return `cannot use ${dir} as working directory: ${error instanceof Error ? error.message : String(error)}`;
  }
}
