// `emperor status [NAME] [--json]`: the fleet as a table, like `supervisorctl status`.
// Uses GET /vassals and GET /vassals/:name.
import type { Command } from 'commander';
import type { VassalStatus } from '../../core/status.js';
import { addConnectionOptions, clientFor } from '../connection.js';
import { formatTable, formatUptime, painter, stateColour, useColour } from '../output.js';

export function registerStatus(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const cmd = program
    .command('status')
    .description('show the state of every vassal, or of one')
    .argument('[name]', 'one vassal')
    .option('--json', 'print JSON (an array, or one object with NAME)')
    .addHelpText('after', `
Columns: NAME STATE PID UPTIME GEN (generation) RESTARTS NOTE. Problems of the emperor's own
surroundings (\`vassals directory missing\`, \`run dir not writable\`) are printed first.

Examples:
  $ emperor status
  $ emperor status web
  $ emperor status --json | jq '.[] | select(.state != "running") | .name'`);
  addConnectionOptions(cmd).action((name: string | undefined) => run(async () => {
    const client = clientFor(cmd);
    const json = cmd.opts<{ json?: boolean }>().json === true;
    const vassals = name === undefined ? await client.list() : [await client.get(name)];
    // What is wrong with the emperor's surroundings (vassals directory missing, run dir not writable) comes first.
    if (!json && name === undefined) for (const problem of (await client.info()).problems ?? []) process.stdout.write(`emperor: ${problem}\n`);
    if (json) process.stdout.write(`${JSON.stringify(name === undefined ? vassals : vassals[0], null, 2)}\n`);
    else process.stdout.write(`${renderStatusTable(vassals, useColour())}\n`);
    return 0;
  }));
}

// The human table of `emperor status`.
function renderStatusTable(vassals: readonly VassalStatus[], colour: boolean): string {
  if (vassals.length === 0) return 'no vassals (add files to the vassals directory)';
  const paint = painter(colour);
  const rows = vassals.map((v) => [
    v.name,
    v.state,
    v.pid === null ? '-' : String(v.pid),
    formatUptime(v.uptime),
    String(v.generation),
    String(v.restarts),
    v.note || v.error || '',
  ]);
  return formatTable(['NAME', 'STATE', 'PID', 'UPTIME', 'GEN', 'RESTARTS', 'NOTE'], rows, (row, col, padded) =>
    col === 1 ? paint(stateColour(vassals[row]?.state ?? 'running'), padded) : padded);
}
