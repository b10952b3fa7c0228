// `emperor start|stop|reload NAME... [--all] [--no-wait]` (`restart` is `reload`):
// POST /vassals/:name/(start|stop|reload) for one vassal, POST /actions/(start|stop|reload) for several.
import type { Command } from 'commander';
import type { ActionOutcome } from '../../control/supervisor-port.js';
import type { VassalAction } from '../../core/command-types.js';
import type { VassalStatus } from '../../core/status.js';
import { addConnectionOptions, clientFor } from '../connection.js';
import { painter, useColour } from '../output.js';
import { outcomeOf, pickTargets, printResults } from './targets.js';

interface ActionCommand {
  readonly action: Exclude<VassalAction, 'dance'>;
  readonly alias?: string;
  readonly description: string;
  readonly all: string;
  /** The vassals --all means. */
  readonly keep: (v: VassalStatus) => boolean;
  readonly examples: string;
  /** How several targets are ordered, for --help. */
  readonly order?: string;
}

const ACTIONS: readonly ActionCommand[] = [
  {
    action: 'start',
    description: 'start stopped vassals and wait until they are ready',
    all: 'every vassal, stopped ones included',
    keep: () => true,
    examples: '  $ emperor start web\n  $ emperor start --all',
  },
  {
    action: 'stop',
    description: 'stop vassals; they stay stopped (across emperor restarts too) until `emperor start` or a change of the file',
    all: 'every vassal',
    keep: () => true,
    examples: '  $ emperor stop web worker\n  $ emperor stop --all',
    order: " They stop as at the emperor's own shutdown: a vassal that others start `after`\nstops once those of them being stopped have stopped (the job handlers before PostgreSQL).",
  },
  {
    action: 'reload',
    alias: 'restart',
    description: "reload vassals with their file's reload strategy and wait for the outcome (alias: restart)",
    all: 'every vassal that is not stopped by the operator',
    keep: (v) => v.want === 'up',
    examples: '  $ emperor reload web\n  $ emperor restart web worker\n  $ emperor reload --all --no-wait',
  },
];

export function registerVassalActions(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  for (const spec of ACTIONS) {
    const cmd = program
      .command(spec.action)
      .description(spec.description)
      .argument('[names...]', 'the vassals (file names without extension)')
      .option('--all', `${spec.action} ${spec.all}`)
      .option('--no-wait', 'return as soon as the emperor accepted each request')
      .addHelpText('after', `
Several vassals are handled in parallel, each waiting for its own outcome; a table shows each
result.${spec.order ?? ''}
Exit status: 0 when every one worked, 1 when any failed (the message says which step and why),
2 for a usage error, 3 when no emperor is reachable.

Examples:
${spec.examples}`);
    if (spec.alias) cmd.alias(spec.alias);
    addConnectionOptions(cmd).action((names: string[]) => run(async () => {
      const { wait, all } = cmd.opts<{ wait: boolean; all?: boolean }>();
      const client = clientFor(cmd);
      const targets = await pickTargets(client, names, all === true, spec.keep, spec.action);
      const act = (name: string): Promise<ActionOutcome> => outcomeOf(() => client.act(name, spec.action, { wait }));
      if (targets.length === 1 && !all) {
        const outcome = await act(targets[0] ?? '');
        printOutcome(outcome);
        return outcome.ok ? 0 : 1;
      }
      // One request: the emperor sends the action to all of them in one turn, so stops go
      // dependents first, and starts wait for what they start `after`.
      return printResults(targets.length === 0 ? [] : await client.actAll(targets, spec.action, { wait }));
    }));
  }
}

// Prints an outcome: on stdout when it worked, on stderr when it failed. The emperor's messages
// name the failed step in words already; the step's id is for programs, never printed.
export function printOutcome(outcome: Pick<ActionOutcome, 'ok' | 'message'>): void {
  if (outcome.ok) {
    process.stdout.write(`${outcome.message}\n`);
    return;
  }
  const paint = painter(useColour(process.stderr));
  process.stderr.write(`${paint('red', 'failed:')} ${outcome.message}\n`);
}
