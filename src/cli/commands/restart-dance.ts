// `emperor restart-dance [NAME] [--all] [--no-wait]`: follows GET /events?vassal=NAME, sends
// POST /vassals/:name/dance?wait=0, and prints each step from the stream until the dance's own
// `done` event (same command id) arrives on it: steps and outcome come in order on one stream.
import type { Command } from 'commander';
import type { ControlClient } from '../../control/client.js';
import type { LifecycleEvent } from '../../core/lifecycle-event.js';
import { EmperorError } from '../../errors.js';
import { addConnectionOptions, clientFor } from '../connection.js';
import { usageError } from '../exit-codes.js';
import { formatElapsed, painter, useColour } from '../output.js';
import { printOutcome } from './vassal-action.js';

export function registerRestartDance(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const cmd = program
    .command('restart-dance')
    .description('replace a vassal without doubling it: a stand-in serves while the original restarts')
    .argument('[name]', 'the vassal (may be left out when exactly one vassal has reload: dance)')
    .option('--all', 'dance every vassal with reload: dance, one after another, stopping at the first failure')
    .option('--no-wait', 'return as soon as the emperor accepted the request')
    .addHelpText('after', `
The dance: start the stand-in, wait until it is ready, stop the original, start a new
original, wait until it is ready, stop the stand-in. Each step is printed with its duration.

Examples:
  $ emperor restart-dance            # the only vassal with reload: dance
  $ emperor restart-dance worker
  $ emperor restart-dance --all`);
  addConnectionOptions(cmd).action((name: string | undefined) => run(async () => {
    const { all, wait } = cmd.opts<{ all?: boolean; wait: boolean }>();
    const client = clientFor(cmd);
    const names = await pickDancers(client, name, all === true);
    for (const dancer of names) {
      const ok = await danceOne(client, dancer, wait);
      if (!ok) return 1;
    }
    return 0;
  }));
}

// The vassals to dance: NAME, every dancer with --all, or the only one.
async function pickDancers(client: ControlClient, name: string | undefined, all: boolean): Promise<string[]> {
  if (name !== undefined && all) throw usageError('give a NAME or --all, not both');
  if (name !== undefined) return [name];
  const candidates = (await client.list()).filter((v) => v.reload === 'dance').map((v) => v.name);
  if (candidates.length === 0) throw usageError('no vassal has reload: dance, so there is nothing to dance');
  if (all) return candidates;
  if (candidates.length > 1) throw usageError(`several vassals can dance: ${candidates.join(', ')}; name one or use --all`);
  return candidates;
}

// Runs one dance while printing its steps; true when it succeeded.
async function danceOne(client: ControlClient, name: string, wait: boolean): Promise<boolean> {
  if (!wait) {
    const outcome = await client.act(name, 'dance', { wait: false });
    printOutcome(outcome);
    return outcome.ok;
  }
  const paint = painter(useColour());
  let headed = false;
  // The header waits for the first step or the outcome, so a refused dance prints only the refusal.
  const header = (): void => {
    if (!headed) process.stdout.write(`${paint('bold', name)}: restart dance\n`);
    headed = true;
  };
  const started = Date.now();
  const controller = new AbortController();
  // Subscribed before the request, so no step can go by unseen.
  const events = await client.events({ vassal: name, signal: controller.signal });
  try {
    const accepted = await client.act(name, 'dance', { wait: false });
    for await (const event of events) {
      if (event.type === 'dance-step') {
        header();
        process.stdout.write(`${formatStep(event)}\n`);
      }
      if (event.type === 'done' && event.command === accepted.command) {
        header();
        printOutcome({ ok: event.ok, message: event.message, ...(event.step === undefined ? {} : { failedStep: event.step }), status: null }, ` (total ${formatElapsed(Date.now() - started)})`);
        return event.ok;
      }
    }
    throw new EmperorError('EMP_ERR_UNREACHABLE', `the emperor closed the event stream before the dance of ${name} ended`);
  } finally {
    controller.abort();
  }
}

// `  stand-in ready            3.2s`
// One progress line: the emperor's own words for the step, which carry its duration.
export function formatStep(event: LifecycleEvent): string {
  return `  ${event.message}`;
}
