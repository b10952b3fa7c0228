// Working directories must exist when the vassal is loaded: a typo in `cwd` is a config error, not a crash loop.
import { stat } from 'node:fs/promises';
import type { VassalSpec } from '../core/spec.js';
import type { ConfigProblem } from './spec.js';

// Check the cwd of the vassal and of its stand-in; standinFile is set when the stand-in came from a file
export async function checkDirectories(spec: VassalSpec, standinFile: string | undefined): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const own = await directoryProblem(spec.process.cwd);
  if (own !== undefined) problems.push({ file: spec.file, key: 'emperor.cwd', message: own });
  const standinCwd = spec.standin?.cwd;
  if (standinCwd !== undefined && standinCwd !== spec.process.cwd) {
    const message = await directoryProblem(standinCwd);
    if (message !== undefined) {
      problems.push(standinFile === undefined ? { file: spec.file, key: 'emperor.standin.cwd', message } : { file: standinFile, key: 'emperor.cwd', message });
    }
  }
  return problems;
}

async function directoryProblem(dir: string): Promise<string | undefined> {
  try {
    return (await stat(dir)).isDirectory() ? undefined : `expected a directory, got ${dir}, which is not one`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `expected an existing directory, got ${dir}, which does not exist; create it or fix the path`;
    return `cannot use ${dir} as working directory: ${error instanceof Error ? error.message : String(error)}`;
  }
}
