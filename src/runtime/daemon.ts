// Composition root of the emperor daemon (being written).
import type { DaemonOptions } from './daemon-options.js';

// Runs the emperor until it is told to stop; resolves with the process exit code.
export async function runDaemon(opts: DaemonOptions): Promise<number> {
  void opts;
  throw new Error('runDaemon: not implemented yet');
}
