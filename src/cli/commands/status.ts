// `emperor status [NAME] [--json] [--wide] [--watch]`: the fleet as a table, like
// `supervisorctl status`. Uses GET /vassals and GET /vassals/:name (`?usage=1` for --wide).
import type { Command } from 'commander';
import { addConnectionOptions, clientFor } from '../connection.js';
import { useColour } from '../output.js';
import { renderStatusTable } from '../status-table.js';
import { runTop } from './top.js';

export function registerStatus(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const cmd = program
    .command('status')
    .description('show the state of every vassal, or of one')
    .argument('[name]', 'one vassal')
    .option('--json', 'print JSON (an array, or one object with NAME)')
    .option('-w, --wide', "add CPU %, resident memory (RSS) of each vassal's whole process group, and its last exit")
    .option('--watch', 'a live view refreshed every second (the same as `emperor top`)')
    .addHelpText('after', `
Columns: NAME STATE PID UPTIME GEN (generation) RESTARTS RELOAD (strategy) SOCKETS (held by
the emperor) NOTE; --wide adds CPU% RSS "LAST EXIT" before NOTE. CPU % is measured over 250 ms
(or since the previous request), 100% being one core; RSS adds up every process of the group.
A vassal stopped with \`emperor stop\` shows "stopped by the operator". Problems of the emperor's own
surroundings (\`vassals directory missing\`, \`run dir not writable\`) are printed first.

Examples:
  $ emperor status
  $ emperor status web --wide
  $ emperor status --json | jq '.[] | select(.state != "running") | .name'`);
  addConnectionOptions(cmd).action((name: string | undefined) => run(async () => {
    const client = clientFor(cmd);
    const { json, wide, watch } = cmd.opts<{ json?: boolean; wide?: boolean; watch?: boolean }>();
    if (watch) return runTop(client);
    const usage = wide === true;
    const vassals = name === undefined ? await client.list({ usage }) : [await client.get(name, { usage })];
    // What is wrong with the emperor's surroundings (vassals directory missing, run dir not writable) comes first.
    if (!json && name === undefined) for (const problem of (await client.info()).problems ?? []) process.stdout.write(`emperor: ${problem}\n`);
    if (json) process.stdout.write(`${JSON.stringify(name === undefined ? vassals : vassals[0], null, 2)}\n`);
    else process.stdout.write(`${renderStatusTable(vassals, { colour: useColour(), wide: usage })}\n`);
    return 0;
  }));
}
