// `emperor restart-dance [NAME...] [--all] [--no-wait]`: follows GET /events?vassal=NAME, sends
// POST /vassals/:name/dance?wait=0, and prints each step from the stream until the dance's own
// `done` event (same command id) arrives on it: steps and outcome come in order on one stream.
// Several vassals dance in parallel; each line then starts with the vassal's name.
import type { Command } from 'commander';
import type { ControlClient } from '../../control/client.js';
import { EmperorError } from '../../errors.js';
import { addConnectionOptions, clientFor } from '../connection.js';
import { usageError } from '../exit-codes.js';
import { painter, useColour } from '../output.js';
import { forEachTarget, outcomeOf, pickTargets, printResults, refusedOutcome, type Result } from './targets.js';
import { printOutcome } from './vassal-action.js';
import { rollFleetDance } from './fleet-roll.js';

export function registerRestartDance(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const cmd = program
    .command('restart-dance')
    .description('replace vassals without doubling them: a stand-in serves while the original restarts')
    .argument('[names...]', 'the vassals (may be left out when exactly one vassal has reload: dance)')
    .option('--all', 'dance every vassal with reload: dance that is not stopped, in parallel')
    .option('--no-wait', 'return as soon as the emperor accepted each request')
    .option('--fleet', 'roll the dance of NAME across every node of the fleet that runs it, one node at a time')
    .option('--json', 'with --fleet: print one JSON object (every node, its steps and outcome) at the end')
    .addHelpText('after', `
The dance: start the stand-in, wait until it is ready, stop the original, start a new
original, wait until it is ready, stop the stand-in. Each step is printed with its duration.
Several vassals dance in parallel (each line starts with the vassal's name), then a table
shows each result; the exit status is 1 when any dance failed.

Examples:
  $ emperor restart-dance            # the only vassal with reload: dance
  $ emperor restart-dance worker
  $ emperor restart-dance worker queue
  $ emperor restart-dance --all

In a fleet (the emperor runs with --fleet etcd://…), --fleet NAME rolls the dance across the
nodes whose registration shows NAME running, in the order of their names: each node's dance
ends before the next one begins, and the first failure stops the roll (that node's original
keeps serving; later nodes are not touched). Ask any node's emperor: it sends each request
through etcd and prints every node's steps.
  $ emperor restart-dance --fleet web
  $ emperor restart-dance --fleet web --json`);
  addConnectionOptions(cmd).action((names: string[]) => run(async () => {
    const { all, wait, fleet, json } = cmd.opts<{ all?: boolean; wait: boolean; fleet?: boolean; json?: boolean }>();
    const client = clientFor(cmd);
    if (fleet) {
      if (names.length !== 1 || all) throw usageError('--fleet rolls one vassal: name exactly one (emperor restart-dance --fleet NAME)');
      return rollFleetDance(client, names[0] ?? '', json === true);
    }
    if (json) throw usageError('--json goes with --fleet');
    const dancers = await pickDancers(client, names, all === true);
    if (dancers.length === 1 && !all) {
      const result = await danceOne(client, dancers[0] ?? '', wait, false);
      if (result.ok) process.stdout.write(`${result.message}\n`);
      else printOutcome(result);
      return result.ok ? 0 : 1;
    }
    return printResults(await forEachTarget(dancers, (name) => danceOne(client, name, wait, true)));
  }));
}

// The vassals to dance: NAME..., every dancer with --all, or the only one.
async function pickDancers(client: ControlClient, names: readonly string[], all: boolean): Promise<string[]> {
  if (names.length > 0 || all) return pickTargets(client, names, all, (v) => v.reload === 'dance' && v.want === 'up', 'dance');
  const candidates = (await client.list()).filter((v) => v.reload === 'dance').map((v) => v.name);
  if (candidates.length === 0) throw usageError('no vassal has reload: dance, so there is nothing to dance');
  if (candidates.length > 1) throw usageError(`several vassals can dance: ${candidates.join(', ')}; name them or use --all`);
  return candidates;
}

// Runs one dance while printing its steps (prefixed with the name when several dance at once).
async function danceOne(client: ControlClient, name: string, wait: boolean, prefixed: boolean): Promise<Result> {
  if (!wait) return { name, ...(await outcomeOf(() => client.act(name, 'dance', { wait: false }))) };
  const paint = painter(useColour());
  const say = (line: string): void => {
    process.stdout.write(prefixed ? `${name}: ${line.trimStart()}\n` : `${line}\n`);
  };
  let headed = false;
  // The header waits for the first step or the outcome, so a refused dance prints only the refusal.
  const header = (): void => {
    if (!headed && !prefixed) process.stdout.write(`${paint('bold', name)}: restart dance\n`);
    headed = true;
  };
  const controller = new AbortController();
  // Subscribed before the request, so no step can go by unseen; an unknown name fails here.
  let events;
  try {
    events = await client.events({ vassal: name, signal: controller.signal });
  } catch (err) {
    return { name, ...refusedOutcome(err) };
  }
  try {
    const accepted = await outcomeOf(() => client.act(name, 'dance', { wait: false }));
    if (!accepted.ok) return { name, ...accepted };
    for await (const event of events) {
      if (event.type === 'dance-step') {
        header();
        say(`  ${event.message}`);
      }
      if (event.type === 'done' && event.command === accepted.command) {
        header();
        return { name, ok: event.ok, message: event.message };
      }
    }
    throw new EmperorError('EMP_ERR_UNREACHABLE', `the emperor closed the event stream before the dance of ${name} ended`);
  } finally {
    controller.abort();
  }
}
