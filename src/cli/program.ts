// The `emperor` command line: the daemon (no subcommand, or `run`) and the control commands.
import { Command, CommanderError } from 'commander';
import { addDaemonOptions, DAEMON_EXAMPLES, runDaemonCommand } from './commands/daemon.js';
import { registerCheck } from './commands/check.js';
import { registerCompletion } from './commands/completion.js';
import { registerEvents } from './commands/events.js';
import { registerImport } from './commands/import.js';
import { registerLogs } from './commands/logs.js';
import { registerMetrics } from './commands/metrics.js';
import { registerReopenLogs } from './commands/reopen-logs.js';
import { registerRestartDance } from './commands/restart-dance.js';
import { registerStatus } from './commands/status.js';
import { registerTop } from './commands/top.js';
import { registerVassalActions } from './commands/vassal-action.js';
import { addConnectionOptions } from './connection.js';
import { EXIT_USAGE, exitCodeOf } from './exit-codes.js';
import { packageVersion } from './version.js';

const CONCEPTS = `
Concepts:
  vassal files   The emperor keeps one instance running per file (YAML, INI or JSON) in the
                 vassals directory: adding a file starts a vassal, editing or touching it
                 reloads it, removing it stops it. \`emperor check\` validates files. The
                 files may also be keys of etcd (--vassals etcd://HOST:PORT/PREFIX/).
  run dir        Holds the control socket (<run-dir>/control.sock) that every other command
                 talks to; see --run-dir.
  restart dance  Replaces a vassal without ever running two originals: a stand-in serves
                 while the original restarts (reload: dance, \`emperor restart-dance\`).
`;

const FOOTER = `${CONCEPTS}
Exit status: 0 success, 1 the operation failed, 2 usage error, 3 no emperor reachable.
${DAEMON_EXAMPLES}
  $ emperor status
  $ emperor restart-dance worker
  $ emperor check ./vassals
  $ emperor import supervisord /etc/supervisor/supervisord.conf --out ./vassals

Run \`emperor <command> --help\` for the options of a command.`;

interface CliResult {
  exitCode: number;
}

// Builds the program; every action reports its exit code into `result`.
function buildProgram(result: CliResult): Command {
  const run = async (action: () => Promise<number>): Promise<void> => {
    try {
      result.exitCode = await action();
    } catch (err) {
      result.exitCode = exitCodeOf(err);
      process.stderr.write(`emperor: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  };
  const program = new Command('emperor')
    .description('run a fleet of long-running server processes, one per vassal file; without a command, run the emperor daemon')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'emperor: ')) })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', FOOTER);
  addConnectionOptions(addDaemonOptions(program)).action(() => run(() => runDaemonCommand(program)));

  const runCmd = program.command('run').description('run the emperor daemon (the same as `emperor --vassals DIR`)').addHelpText('after', DAEMON_EXAMPLES.replace(/emperor --vassals/g, 'emperor run --vassals'));
  addConnectionOptions(addDaemonOptions(runCmd)).action(() => run(() => runDaemonCommand(runCmd)));
  registerStatus(program, run);
  registerVassalActions(program, run);
  registerRestartDance(program, run);
  registerLogs(program, run);
  registerCheck(program, run);
  registerImport(program, run);
  registerMetrics(program, run);
  registerTop(program, run);
  registerEvents(program, run);
  registerCompletion(program, run);
  registerReopenLogs(program, run);
  return program;
}

// Runs the CLI on `argv` (process.argv shape); resolves with the exit code.
export async function runCli(argv: readonly string[]): Promise<number> {
  const result: CliResult = { exitCode: 0 };
  const program = buildProgram(result);
  const unknown = unknownCommand(program, argv.slice(2));
  if (unknown) {
    process.stderr.write(`emperor: ${unknown}\n(run with --help for usage)\n`);
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      const fine = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(err.code);
      return fine ? 0 : EXIT_USAGE;
    }
    process.stderr.write(`emperor: ${err instanceof Error ? err.message : String(err)}\n`);
    return exitCodeOf(err);
  }
  return result.exitCode;
}

// The first word, when it is not an option and names no command: commander would call it an excess argument.
function unknownCommand(program: Command, args: readonly string[]): string | undefined {
  const first = args[0];
  if (first === undefined || first.startsWith('-')) return undefined;
  const names = program.commands.map((c) => c.name());
  if (names.includes(first) || program.commands.some((c) => c.aliases().includes(first))) return undefined;
  const near = names.find((n) => n.startsWith(first.slice(0, 3)));
  return `unknown command '${first}'${near ? ` (did you mean ${near}?)` : ''}; commands: ${names.join(', ')}`;
}
