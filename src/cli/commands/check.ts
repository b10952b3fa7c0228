// `emperor check PATH...`: validates vassal files (or every vassal file in directories) without running anything.
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadVassalFile } from '../../config/load-vassal-file.js';
import { formatProblem } from '../../config/spec.js';
import { isVassalFileName } from '../../config/vassal-file-name.js';
import { painter, useColour } from '../output.js';

export function registerCheck(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  program
    .command('check')
    .description('validate vassal files without running them (no emperor needed)')
    .argument('<paths...>', 'vassal files, or directories of vassal files')
    .option('--vassal-wrapper <path>', 'program that runs uWSGI vassals', 'uwsgi')
    .addHelpText('after', `
Prints "file: ok" for each good file and "file: key: problem" for each problem;
warnings start with "warning: ". Exits 1 when any file is invalid.

Examples:
  $ emperor check /etc/emperor/vassals
  $ emperor check web.yaml worker.ini`)
    .action((paths: string[], opts: { vassalWrapper: string }) => run(() => checkPaths(paths, opts.vassalWrapper)));
}

// Checks every path; 0 when all files are valid, 1 otherwise.
async function checkPaths(paths: readonly string[], vassalWrapper: string): Promise<number> {
  const paint = painter(useColour());
  let failed = false;
  for (const path of paths) {
    const files = await vassalFilesOf(path);
    if (typeof files === 'string') {
      process.stderr.write(`${path}: ${files}\n`);
      failed = true;
      continue;
    }
    for (const file of files) {
      const result = await loadVassalFile(file, { vassalWrapper });
      for (const w of result.ok ? result.spec.warnings : result.warnings) process.stdout.write(`${paint('yellow', 'warning:')} ${w}\n`);
      if (result.ok) {
        process.stdout.write(`${file}: ${paint('green', 'ok')}\n`);
      } else {
        failed = true;
        for (const p of result.errors) process.stdout.write(`${formatProblem(p)}\n`);
      }
    }
  }
  return failed ? 1 : 0;
}

// The vassal files a path stands for, or why it stands for none.
async function vassalFilesOf(path: string): Promise<string[] | string> {
  const absolute = resolve(path);
  const st = await stat(absolute).catch((err: NodeJS.ErrnoException) => err);
  if (st instanceof Error) return st.code === 'ENOENT' ? 'no such file or directory' : st.message;
  if (!st.isDirectory()) return [absolute];
  const names = (await readdir(absolute)).filter((n) => isVassalFileName(basename(n))).sort();
  if (names.length === 0) return 'no vassal files (*.yaml, *.yml, *.ini, *.json) in this directory';
  return names.map((n) => join(absolute, n));
}
