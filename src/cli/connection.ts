// The options every command shares to find the emperor, and the client built from them.
import type { Command } from 'commander';
import { ControlClient } from '../control/client.js';
import { resolveControlPath, resolveRunDir } from './run-dir.js';

interface ConnectionOptions {
  readonly runDir?: string;
  readonly control?: string;
}

// Adds --run-dir and --control to a command.
export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--run-dir <dir>', 'run directory of the emperor (default: $EMPEROR_RUN_DIR, /run/emperor for root, $XDG_RUNTIME_DIR/emperor, or <tmp>/emperor-<uid>)')
    .option('--control <path>', 'control socket (default: <run-dir>/control.sock)');
}

// Options given after the subcommand win over the same options given before it.
export function connectionOf(cmd: Command): ConnectionOptions {
  const local = cmd.opts<ConnectionOptions>();
  const global = cmd.parent?.opts<ConnectionOptions>() ?? {};
  return { runDir: local.runDir ?? global.runDir, control: local.control ?? global.control };
}

// A client for the control socket named by the options.
export function clientFor(cmd: Command): ControlClient {
  const conn = connectionOf(cmd);
  return new ControlClient(resolveControlPath(resolveRunDir({ flag: conn.runDir }), conn.control));
}
