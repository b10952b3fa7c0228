// `emperor status [NAME] [--json] [--wide] [--watch]`: the fleet as a table, like
// `supervisorctl status`. Uses GET /vassals and GET /vassals/:name (`?usage=1` for --wide).
import type { Command } from 'commander';
import type { FleetInfo, FleetNode, VassalSourceInfo, VassalStateName } from '../../core/status.js';
import { addConnectionOptions, clientFor } from '../connection.js';
import { formatTable, painter, stateColour, useColour } from '../output.js';
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
    .option('--fleet', 'every emperor of the fleet and its vassals, read from etcd (from any node)')
    .addHelpText('after', `
Columns: NAME STATE PID UPTIME GEN (generation) RESTARTS RELOAD (strategy) SOCKETS (held by
the emperor) NOTE; --wide adds CPU% RSS "LAST EXIT" before NOTE. CPU % is measured over 250 ms
(or since the previous request), 100% being one core; RSS adds up every process of the group.
A vassal stopped with \`emperor stop\` shows "stopped by the operator". Problems of the emperor's own
surroundings (\`vassals directory missing\`, \`run dir not writable\`) are printed first.
In a fleet (emperor --fleet), a first line tells whether this emperor reaches etcd:
\`fleet: connected\` or \`fleet: disconnected\`. With --fleet: NODE NAME STATE PID NOTE for every
node; a fleet singleton shows \`running\` on one node and \`standby\` (held by NODE) on the others.
With vassals from etcd (emperor --vassals etcd://…/PREFIX/), a line per source tells whether it
is followed: \`vassals: etcd://…/PREFIX/ connected, N vassal key(s)\`, or disconnected since when
(its vassals keep running; what changed meanwhile is applied when it is back).

Examples:
  $ emperor status
  $ emperor status web --wide
  $ emperor status --json | jq '.[] | select(.state != "running") | .name'
  $ emperor status --fleet`);
  addConnectionOptions(cmd).action((name: string | undefined) => run(async () => {
    const client = clientFor(cmd);
    const { json, wide, watch, fleet = false } = cmd.opts<{ json?: boolean; wide?: boolean; watch?: boolean; fleet?: boolean }>();
    if (fleet) {
      const view = await client.fleet();
      if (json) process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      else process.stdout.write(`${renderFleet(view.self, view.nodes, name, useColour())}\n`);
      return 0;
    }
    if (watch) return runTop(client);
    const usage = wide === true;
    const vassals = name === undefined ? await client.list({ usage }) : [await client.get(name, { usage })];
    const info = json ? null : await client.info();
    // What is wrong with the emperor's surroundings (vassals directory missing, run dir not writable) comes first.
    if (info && name === undefined) for (const problem of info.problems ?? []) process.stdout.write(`emperor: ${problem}\n`);
    if (json) process.stdout.write(`${JSON.stringify(name === undefined ? vassals : vassals[0], null, 2)}\n`);
    else process.stdout.write(`${info?.fleet ? `${fleetLine(info.fleet)}\n` : ''}${(info?.sources ?? []).map(sourceLine).join('')}${renderStatusTable(vassals, { colour: useColour(), wide: usage })}\n`);
    return 0;
  }));
}

// `vassals: etcd://…/PREFIX/ connected (N keys)`, or disconnected since when and why.
function sourceLine(s: VassalSourceInfo): string {
  const state = s.connected ? 'connected' : `disconnected since ${new Date(s.since).toISOString()} (${s.error ?? 'unknown'}; its vassals keep running)`;
  return `vassals: ${s.url} ${state}, ${s.keys} vassal key(s)\n`;
}

// `fleet: connected` (or disconnected), with this node's name and its etcd.
function fleetLine(self: FleetInfo): string {
  return `fleet: ${self.connected ? 'connected' : 'disconnected'} (node ${self.node}, etcd ${self.endpoints.join(',')}, prefix ${self.prefix})`;
}

// The table of `emperor status --fleet`: one row per vassal of each node.
function renderFleet(self: FleetInfo, nodes: readonly FleetNode[], only: string | undefined, colour: boolean): string {
  const paint = painter(colour);
  const rows: { state: VassalStateName; cells: string[] }[] = [];
  for (const n of nodes) {
    const vassals = n.vassals.filter((v) => only === undefined || v.name === only);
    if (vassals.length === 0 && only === undefined) rows.push({ state: 'stopped', cells: [n.node, '-', '-', '-', 'no vassals'] });
    for (const v of vassals) rows.push({ state: v.state, cells: [n.node, v.name, v.state, v.pid === null ? '-' : String(v.pid), v.note] });
  }
  const table = rows.length === 0 ? 'no nodes' : formatTable(['NODE', 'NAME', 'STATE', 'PID', 'NOTE'], rows.map((r) => r.cells), (row, col, padded) =>
    col === 2 ? paint(stateColour(rows[row]?.state ?? 'running'), padded) : padded);
  return `${fleetLine(self)}; ${nodes.length} node(s)\n${table}`;
}
