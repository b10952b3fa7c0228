// `emperor check [FILE...] [--vassals DIR|etcd://…/PREFIX/]`: its options and help; the check
// itself is in check-files.ts.
import type { Command } from 'commander';
import type { CheckFlags } from './check-files.js';
import { addLoadOptions } from './daemon.js';

export function registerCheck(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const cmd = program
    .command('check')
    .description("check vassal files the way the daemon does, without running anything (no emperor needed)")
    .argument('[files...]', 'vassal files (a directory here means every vassal file in it)')
    .option('--vassals <dir|etcd-url>', 'check every vassal file of this directory, or every vassal key under etcd://HOST:PORT/PREFIX/, as `emperor --vassals` would load it')
    .option('--json', 'print one JSON document: { ok, files: [{ file, name, ok, errors, warnings }] }');
  addLoadOptions(cmd).addHelpText('after', `
What is checked is exactly what makes a vassal broken in the daemon: every key (unknown keys
included, with a suggestion), the program (found on the PATH the instance will get, or in its
cwd), the working directory, sockets, readiness patterns, the stand-in, users and groups, and
one file per vassal name. Every problem of a file is listed at once. Give the same
--vassal-wrapper, --required-heartbeat and --tyrant options as the daemon.

Prints "file: ok" for each good file and "file: key: problem" for each problem; warnings
start with "warning: " and do not fail the check.

With --vassals etcd://HOST:PORT[,…]/PREFIX/, the keys under the prefix are read once and each
vassal key is checked like a file, named etcd://…/PREFIX/KEY.

Exit status: 0 every file is good, 1 some file is broken (or missing), 2 usage error
(nothing to check, --vassals is not a readable directory, or etcd did not answer).

Examples:
  $ emperor check --vassals /etc/emperor/vassals
  $ emperor check web.yaml worker.ini
  $ emperor check --json --vassals ./vassals | jq '.files[] | select(.ok | not)'
  $ emperor check --vassals etcd://10.0.0.5:2379/emperor/vassals/`);
  // The loader and its parsers are imported when a check runs, not for every command's start.
  cmd.action((files: string[], flags: CheckFlags) => run(async () => (await import('./check-files.js')).check(files, flags)));
}
