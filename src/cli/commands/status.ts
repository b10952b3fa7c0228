// `emperor status [NAME] [--json]`: the fleet as a table, like `supervisorctl status`.
// Uses GET /vassals and GET /vassals/:name.
import type { Command } from 'commander';
import type { FleetInfo, FleetNode, VassalStateName, VassalStatus } from '../../core/status.js';
import { addConnectionOptions, clientFor } from '../connection.js';
import { formatTable, formatUptime, painter, stateColour, useColour } from '../output.js';

export function registerStatus(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const cmd = program
    .command('status')
    .description('show the state of every vassal, or of one')
    .argument('[name]', 'one vassal')
    .option('--json', 'print JSON (an array, or one object with NAME)')
    .option('--fleet', 'every emperor of the fleet and its vassals, read from etcd (from any node)')
    .addHelpText('after', `
Columns: NAME STATE PID UPTIME GEN (generation) RESTARTS NOTE. In a fleet (emperor --fleet), a first
line tells whether this emperor reaches etcd: \`fleet: connected\` or \`fleet: disconnected\`.
With --fleet: NODE NAME STATE PID NOTE for every node; a fleet singleton shows \`running\` on
one node and \`standby\` (held by NODE) on the others.

Examples:
  $ emperor status
  $ emperor status web
  $ emperor status --json | jq '.[] | select(.state != "running") | .name'
  $ emperor status --fleet`);
  addConnectionOptions(cmd).action((name: string | undefined) => run(async () => {
    const client = clientFor(cmd);
    const { json = false, fleet = false } = cmd.opts<{ json?: boolean; fleet?: boolean }>();
    if (fleet) {
      const view = await client.fleet();
      if (json) process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      else process.stdout.write(`${renderFleet(view.self, view.nodes, name, useColour())}\n`);
      return 0;
    }
    const vassals = name === undefined ? await client.list() : [await client.get(name)];
    if (json) process.stdout.write(`${JSON.stringify(name === undefined ? vassals : vassals[0], null, 2)}\n`);
    else {
      const self = (await client.info()).fleet;
      process.stdout.write(`${self ? `${fleetLine(self)}\n` : ''}${renderStatusTable(vassals, useColour())}\n`);
    }
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
