// `emperor start|stop|reload NAME [--no-wait]`: POST /vassals/:name/(start|stop|reload).
import type { Command } from 'commander';
import type { ActionOutcome } from '../../control/supervisor-port.js';
import type { VassalAction } from '../../core/command-types.js';
import { addConnectionOptions, clientFor } from '../connection.js';
import { painter, useColour } from '../output.js';

const ACTIONS: readonly { action: VassalAction; description: string; example: string }[] = [
  { action: 'start', description: 'start a stopped vassal and wait until it is ready', example: 'emperor start web' },
  { action: 'stop', description: 'stop a vassal (it stays stopped until `emperor start` or a change of its file; a touch keeps it stopped)', example: 'emperor stop web' },
  { action: 'reload', description: "reload a vassal with its file's reload strategy and wait for the outcome", example: 'emperor reload web --no-wait' },
];

export function registerVassalActions(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  for (const { action, description, example } of ACTIONS) {
    const cmd = program
      .command(action)
      .description(description)
      .argument('<name>', 'the vassal (its file name without extension)')
      .option('--no-wait', 'return as soon as the emperor accepted the request')
      .addHelpText('after', `
Exit status: 0 when it worked, 1 when it failed (the message says which step and why),
2 for a usage error, 3 when no emperor is reachable.

Example:
  $ ${example}`);
    addConnectionOptions(cmd).action((name: string) => run(async () => {
      const wait = cmd.opts<{ wait: boolean }>().wait;
      const outcome = await clientFor(cmd).act(name, action, { wait });
      printOutcome(outcome);
      return outcome.ok ? 0 : 1;
    }));
  }
}

// Prints an outcome: on stdout when it worked, on stderr when it failed.
export function printOutcome(outcome: ActionOutcome, suffix = ''): void {
  const paint = painter(useColour(outcome.ok ? process.stdout : process.stderr));
  if (outcome.ok) {
    process.stdout.write(`${outcome.message}${suffix}\n`);
    return;
  }
  // The emperor's own failure messages already name the step ("dance failed at step …").
  const named = outcome.failedStep !== undefined && (outcome.message.includes(outcome.failedStep) || outcome.message.includes('at step'));
  const step = outcome.failedStep && !named ? ` (failed step: ${outcome.failedStep})` : '';
  process.stderr.write(`${paint('red', 'failed:')} ${outcome.message}${step}${suffix}\n`);
}
