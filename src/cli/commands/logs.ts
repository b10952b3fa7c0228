// `emperor logs NAME|--all [-n 100] [--since 10m] [-f [--retry]]`: GET /vassals/:name/logs or GET /logs.
import { InvalidArgumentError, type Command } from 'commander';
import { parseDuration } from '../../config/duration.js';
import type { ControlClient } from '../../control/client.js';
import type { OutputLine } from '../../core/status.js';
import { EmperorError } from '../../errors.js';
import { addConnectionOptions, clientFor } from '../connection.js';
import { usageError } from '../exit-codes.js';
import { painter, useColour } from '../output.js';

const RETRY_EVERY_MS = 1000;
/** When following again after the emperor came back: everything since the last line seen. */
const RESUME_LINES = 100_000;

interface LogsFlags {
  lines: number;
  since?: number;
  follow?: boolean;
  all?: boolean;
  retry?: boolean;
  json?: boolean;
}

function countOption(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number of lines, got '${value}'`);
  return Number(value);
}

// 10m, 2h, 30s (that long ago) or an ISO-8601 time; epoch milliseconds.
function sinceOption(value: string): number {
  const ago = parseDuration(value);
  if (ago.ok) return Date.now() - ago.ms;
  const at = /^\d{4}-\d\d-\d\d/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isFinite(at)) return at;
  throw new InvalidArgumentError(`expected how long ago, like 10m or 2h, or a time like 2026-12-03T07:00:00Z, got '${value}'`);
}

export function registerLogs(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const cmd = program
    .command('logs')
    .description("print a vassal's lines: its instances' output and the emperor's lifecycle lines between them, with time, generation and stream")
    .argument('[name]', 'the vassal (or --all)')
    .option('-n, --lines <n>', 'how many of the last lines to print (per vassal with --all)', countOption, 100)
    .option('--since <when>', 'only lines since then: 10m, 2h (ago) or an ISO-8601 time', sinceOption)
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .option('--all', 'every vassal, each line prefixed with its name')
    .option('--retry', 'with -f: when the emperor goes away, wait for it and follow again')
    .option('--json', 'print each line as the API sends it (NDJSON)')
    .addHelpText('after', `
Lines come from the vassal's logto file when it has one (including its rotated files, so
they outlive an emperor restart), else from the last 1000 lines kept in memory. Each line:
  2026-12-03T07:12:00.123Z #3 stdout: the instance's line
  2026-12-03T07:12:01.002Z #3 emperor warn: generation 3 exited with code 1 (unexpected)
"#3" is the generation (one per spawn), "standin" marks the stand-in's lines, "+" after the
stream a line cut at 64 KiB that goes on in the next one. A file with log-format: plain has
no times or lifecycle lines: its lines print as they were written.

With -f, when the emperor stops the command says so and exits 3; --retry waits for it instead
and goes on from the last line printed.

Examples:
  $ emperor logs web
  $ emperor logs web -n 20 -f
  $ emperor logs web --since 10m
  $ emperor logs --all -f`);
  addConnectionOptions(cmd).action((name: string | undefined) => run(async () => {
    const flags = cmd.opts<LogsFlags>();
    if (name === undefined && !flags.all) throw usageError('logs: name a vassal, or use --all for every vassal');
    if (name !== undefined && flags.all) throw usageError('logs: name a vassal or use --all, not both');
    if (flags.retry && !flags.follow) throw usageError('logs: --retry only makes sense with -f');
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await printLogs(() => clientFor(cmd), name ?? null, flags, controller.signal);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  }));
}

async function printLogs(client: () => ControlClient, name: string | null, flags: LogsFlags, signal: AbortSignal): Promise<void> {
  const print = lineWriter(flags, name === null);
  let last: OutputLine | null = null;
  let resumed = false;
  for (;;) {
    const request = resumed
      ? { n: RESUME_LINES, ...(last?.at == null ? {} : { since: last.at }) }
      : { n: flags.lines, ...(flags.since === undefined ? {} : { since: flags.since }) };
    let lines: AsyncIterable<OutputLine>;
    try {
      lines = await client().logs(name, { ...request, follow: flags.follow === true, signal });
    } catch (err) {
      if (signal.aborted) return;
      if (!flags.retry || !isUnreachable(err)) throw err;
      await sleep(RETRY_EVERY_MS, signal);
      continue;
    }
    if (resumed) process.stderr.write('emperor logs: the emperor is back; following again\n');
    // After a resume, skip what was printed already: lines up to and including the last one seen.
    let skipping = resumed && last !== null;
    const seen = last;
    for await (const line of lines) {
      if (skipping && seen) {
        // Older lines, and lines of the same millisecond up to the last one seen, were printed.
        if ((line.at ?? 0) < (seen.at ?? 0)) continue;
        if (sameLine(line, seen)) {
          skipping = false;
          continue;
        }
        if (line.at === seen.at) continue;
        skipping = false;
      }
      print(line);
      last = line;
    }
    if (!flags.follow || signal.aborted) return;
    if (!flags.retry) {
      throw new EmperorError('EMP_ERR_UNREACHABLE', 'the emperor went away (its control socket closed); `emperor logs -f --retry` waits for it to come back');
    }
    process.stderr.write('emperor logs: the emperor went away; waiting for it to come back (--retry)\n');
    resumed = true;
    await sleep(RETRY_EVERY_MS, signal);
    if (signal.aborted) return;
  }
}

function lineWriter(flags: LogsFlags, withName: boolean): (line: OutputLine) => void {
  if (flags.json) return (line) => void process.stdout.write(`${JSON.stringify(line)}\n`);
  const paint = painter(useColour());
  return (line) => {
    const prefix = withName && line.vassal !== undefined ? `${paint('bold', line.vassal)} | ` : '';
    if (line.at === null) {
      process.stdout.write(`${prefix}${line.line}\n`);
      return;
    }
    const gen = line.generation > 0 ? `#${line.generation}` : '-';
    const role = line.role ? ` ${line.role}` : '';
    const level = line.level && line.level !== 'info' ? ` ${line.level}` : '';
    const tag = `${line.stream}${level}${line.continued ? '+' : ''}:`;
    const colour = line.stream === 'stderr' || line.level === 'error' ? 'red' : line.level === 'warn' ? 'yellow' : line.stream === 'emperor' ? 'dim' : null;
    process.stdout.write(`${prefix}${paint('dim', new Date(line.at).toISOString())} ${gen}${role} ${colour ? paint(colour, tag) : tag} ${line.line}\n`);
  };
}

function sameLine(a: OutputLine, b: OutputLine): boolean {
  return a.at === b.at && a.generation === b.generation && a.stream === b.stream && a.line === b.line && a.vassal === b.vassal;
}

function isUnreachable(err: unknown): boolean {
  return err instanceof EmperorError && err.code === 'EMP_ERR_UNREACHABLE';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
