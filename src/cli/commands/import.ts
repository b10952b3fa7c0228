// `emperor import supervisord|gravity|pm2 FILE…`: vassal files from another process manager's config.
import type { Command } from 'commander';
import { IMPORT_SOURCES } from '../../import/import-sources.js';
import type { ImportSource } from '../../import/render-vassal.js';
import { usageError } from '../exit-codes.js';
import { painter, useColour } from '../output.js';

interface ImportFlags {
  out?: string;
  vassals?: string;
  dryRun?: boolean;
  force?: boolean;
  env?: string;
  check: boolean;
}

export function registerImport(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  program
    .command('import')
    .description('write vassal files from a supervisord, Gravity (Galaxy) or PM2 configuration')
    .argument('<source>', `what the files are: ${IMPORT_SOURCES.join(', ')}`)
    .argument('<files...>', 'supervisord .conf/.ini files, galaxy.yml (or a Gravity config), or a PM2 ecosystem file (.js, .cjs, .mjs, .json or .yml)')
    .option('-o, --out <dir>', 'write the vassal files here (default: --vassals, else the current directory)')
    .option('--vassals <dir>', 'the vassals directory of the emperor that will run them')
    .option('-n, --dry-run', 'print the files instead of writing them')
    .option('-f, --force', 'replace files that already exist')
    .option('--env <name>', 'PM2: merge env_<name> over env, as `pm2 start --env <name>` does')
    .option('--no-check', 'do not load the files with the emperor\'s loader before writing')
    .addHelpText('after', `
One vassal file is written per process: a supervisord [program:x] with numprocs = 2 gives
two files, a PM2 app with instances: 3 gives three. Each file starts with a comment naming
where it came from, what was carried over only approximately, and every key that has no
equivalent (those are also printed as warnings): nothing is dropped silently.

  supervisord  [program:x] sections, following [include] files = globs; %(ENV_X)s,
               %(here)s, %(program_name)s and %(process_num)s are expanded here, with the
               environment of this command (as supervisord does with its own at start).
               autostart = false goes to <out>/disabled/, which the emperor does not run.
  gravity      the gravity: section of galaxy.yml: gunicorn (on a socket the emperor holds,
               restarted with the restart dance), celery, celery-beat, tusd, gx-it-proxy,
               reports and the job handlers (static ones from the job config, dynamic ones
               from handlers:). Gravity's defaults apply to keys it does not set.
  pm2          apps[] of an ecosystem file; a .js file is run (as PM2 does) to get them.

Nothing is written when the input has a problem ("file:line: problem", exit 1), when a
target file exists (unless --force), or when the emperor's loader rejects a written file
(missing directories and users only warn: they may exist on the host the files are for).
Running the same import twice gives the same bytes.

Examples:
  $ emperor import supervisord /etc/supervisor/supervisord.conf --out /etc/emperor/vassals
  $ emperor import gravity /srv/galaxy/config/galaxy.yml --dry-run
  $ emperor import pm2 ecosystem.config.js --env production --vassals ./vassals`)
    .action((source: string, files: string[], flags: ImportFlags) => run(() => importCommand(source, files, flags)));
}

async function importCommand(source: string, files: readonly string[], flags: ImportFlags): Promise<number> {
  const known = IMPORT_SOURCES.find((s) => s === source);
  if (known === undefined) throw usageError(`unknown source '${source}'; expected one of ${IMPORT_SOURCES.join(', ')}`);
  if (flags.env !== undefined && known !== 'pm2') throw usageError('--env is for pm2 ecosystem files only');
  const paint = painter(useColour(process.stderr));
  // The importers and their parsers load when an import runs, not for every command's start.
  const [{ runImporter }, { writeImported }, { formatImportProblem }] = await Promise.all([import('../../import/run-import.js'), import('../../import/write-imported.js'), import('../../import/imported-vassal.js')]);
  const result = await runImporter(known, files, { env: process.env, pm2Env: flags.env });
  if (!result.ok) {
    for (const p of result.problems) process.stderr.write(`${formatImportProblem(p)}\n`);
    process.stderr.write('emperor: nothing written\n');
    return 1;
  }
  const report = await writeImported(result.vassals, known as ImportSource, {
    outDir: flags.out ?? flags.vassals ?? process.cwd(),
    dryRun: flags.dryRun === true,
    force: flags.force === true,
    check: flags.check,
  });
  for (const w of [...result.warnings, ...report.warnings]) process.stderr.write(`${paint('yellow', 'warning:')} ${w}\n`);
  for (const e of report.errors) process.stderr.write(`${e}\n`);
  if (!report.ok) {
    process.stderr.write('emperor: nothing written\n');
    return 1;
  }
  process.stdout.write(report.out.map((l) => `${l}\n`).join(''));
  return 0;
}
