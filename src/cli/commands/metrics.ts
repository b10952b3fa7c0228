// `emperor metrics`: prints GET /metrics (Prometheus text).
import type { Command } from 'commander';
import { addConnectionOptions, clientFor } from '../connection.js';

export function registerMetrics(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const cmd = program
    .command('metrics')
    .description('print the Prometheus metrics of the emperor and its vassals')
    .addHelpText('after', `
Example:
  $ emperor metrics | grep emperor_vassals`);
  addConnectionOptions(cmd).action(() => run(async () => {
    process.stdout.write(await clientFor(cmd).metrics());
    return 0;
  }));
}
