// `emperor reopen-logs`: POST /reopen-logs (what logrotate's postrotate runs; SIGUSR1 does the same).
import type { Command } from 'commander';
import { addConnectionOptions, clientFor } from '../connection.js';

export function registerReopenLogs(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const cmd = program
    .command('reopen-logs')
    .description("reopen every vassal's logto file and the emperor's --log-file at their paths (after logrotate moved them)")
    .addHelpText('after', `
logrotate renames app.log to app.log.1 and creates a new app.log; until the emperor reopens,
it keeps writing to the renamed file. Put this in the postrotate script (contrib/logrotate/emperor
is an example), or send SIGUSR1 to the emperor. With copytruncate no reopen is needed.

Example:
  $ emperor reopen-logs
  reopened 3 vassal log file(s)`);
  addConnectionOptions(cmd).action(() => run(async () => {
    const reopened = await clientFor(cmd).reopenLogs();
    process.stdout.write(`reopened ${reopened.files} vassal log file(s)${reopened.emperorLog ? " and the emperor's own log" : ''}\n`);
    return 0;
  }));
}
