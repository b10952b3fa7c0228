// `emperor logs NAME [-f] [-n 100]`: GET /vassals/:name/logs?n=N[&follow=1].
import { InvalidArgumentError, type Command } from 'commander';
import { addConnectionOptions, clientFor } from '../connection.js';
import { painter, useColour } from '../output.js';

function countOption(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number of lines, got '${value}'`);
  return Number(value);
}

export function registerLogs(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const cmd = program
    .command('logs')
    .description("print a vassal's captured output (stdout and stderr of its instances)")
    .argument('<name>', 'the vassal')
    .option('-n, --lines <n>', 'how many of the last lines to print', countOption, 100)
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .addHelpText('after', `
Lines from stderr are marked with "!" when stdout is a terminal.

Examples:
  $ emperor logs web
  $ emperor logs web -n 20 -f`);
  addConnectionOptions(cmd).action((name: string) => run(async () => {
    const { lines, follow } = cmd.opts<{ lines: number; follow?: boolean }>();
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const colour = useColour();
      const paint = painter(colour);
      for await (const line of await clientFor(cmd).logs(name, { n: lines, follow: follow === true, signal: controller.signal })) {
        const mark = colour && line.stream === 'stderr' ? `${paint('red', '!')} ` : '';
        process.stdout.write(`${mark}${line.line}\n`);
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  }));
}
