// `emperor restart-dance --fleet NAME [--json]`: asks the local emperor (its control socket) to
// roll a dance of NAME across the fleet, and prints each node's steps as they arrive:
//   web: rolling dance on 3 nodes: a, b, c
//   a: restart dance
//     a: standin: started (pid 123) ...
//   a: ok: web: running (pid 456, generation 2)
// With --json, one object at the end: every node with its steps and outcome.
import type { ControlClient } from '../../control/client.js';
import type { FleetRollEvent } from '../../core/status.js';
import { EmperorError } from '../../errors.js';
import { painter, useColour } from '../output.js';

interface NodeResult {
  node: string;
  steps: string[];
  ok: boolean | null;
  message: string | null;
}

export async function rollFleetDance(client: ControlClient, name: string, json: boolean): Promise<number> {
  const paint = painter(useColour() && !json);
  const say = (line: string): void => {
    if (!json) process.stdout.write(`${line}\n`);
  };
  const nodes = new Map<string, NodeResult>();
  let plan: Extract<FleetRollEvent, { type: 'plan' }> | null = null;
  for await (const e of await client.fleetDance(name)) {
    switch (e.type) {
      case 'plan': {
        plan = e;
        const skipped = e.skipped.length ? ` (not running it: ${e.skipped.map((s) => `${s.node} ${s.state}`).join(', ')})` : '';
        say(`${paint('bold', name)}: rolling dance on ${e.nodes.length} node${e.nodes.length === 1 ? '' : 's'}, one at a time: ${e.nodes.join(', ')}${skipped}`);
        break;
      }
      case 'node-start':
        nodes.set(e.node, { node: e.node, steps: [], ok: null, message: null });
        say(`${paint('bold', e.node)}: restart dance`);
        break;
      case 'step':
        nodes.get(e.node)?.steps.push(e.message);
        say(`  ${e.node}: ${e.message.trimStart()}`);
        break;
      case 'node-done': {
        const n = nodes.get(e.node);
        if (n) Object.assign(n, { ok: e.ok, message: e.message });
        say(`${e.node}: ${e.ok ? paint('green', 'ok') : paint('red', 'FAILED')}: ${e.message}`);
        break;
      }
      case 'done':
        if (json) {
          const body = { vassal: name, ok: e.ok, message: e.message, nodes: [...nodes.values()], danced: e.danced, notDanced: e.notDanced, skipped: plan?.skipped ?? [] };
          process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
        } else say(e.ok ? paint('green', e.message) : paint('red', e.message));
        return e.ok ? 0 : 1;
    }
  }
  throw new EmperorError('EMP_ERR_UNREACHABLE', `the emperor closed the stream before the rolling dance of ${name} ended`);
}
