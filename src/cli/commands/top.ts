// `emperor top` (also `emperor status --watch`): the status table with CPU and memory,
// redrawn every second to fit the terminal, until q or Ctrl-C.
import type { Command } from 'commander';
import type { ControlClient } from '../../control/client.js';
import type { VassalStatus } from '../../core/status.js';
import { addConnectionOptions, clientFor } from '../connection.js';
import { useColour } from '../output.js';
import { renderStatusTable } from '../status-table.js';

const REFRESH_MS = 1000;
const CTRL_C = '\u0003';

export function registerTop(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const cmd = program
    .command('top')
    .description('live view of the fleet, refreshed every second, with CPU % and memory (q or Ctrl-C quits)')
    .addHelpText('after', `
The columns of \`emperor status --wide\`, cut to the terminal's width. The view survives an
emperor restart: it says so while the emperor is unreachable and carries on when it is back.

Example:
  $ emperor top`);
  addConnectionOptions(cmd).action(() => run(() => runTop(clientFor(cmd))));
}

// Runs the live view until q or Ctrl-C; the first fetch failing is an error (exit 3 when unreachable).
export async function runTop(client: ControlClient): Promise<number> {
  const out = process.stdout;
  const tty = out.isTTY === true;
  let vassals: VassalStatus[] = await client.list({ usage: true });
  let problem: string | null = null;
  const draw = (): void => {
    const width = tty ? out.columns : Infinity;
    const running = vassals.filter((v) => v.state === 'running').length;
    const head = `emperor top - ${vassals.length} vassal(s), ${running} running - ${new Date().toLocaleTimeString()} - q quits`;
    const body = renderStatusTable(vassals, { colour: useColour(), wide: true });
    const lines = [head, ...(problem ? [`(${problem}; showing the last answer)`] : []), '', ...body.split('\n')].map((l) => cut(l, width));
    out.write(tty ? `\u001b[H\u001b[2J${lines.join('\n')}\n` : `${lines.join('\n')}\n\n`);
  };
  return new Promise<number>((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    let done = false;
    const stdin = process.stdin;
    const quit = (): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      stdin.off('data', onKey);
      process.off('SIGINT', quit);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.destroy(); // a paused pipe would keep the process alive
      if (tty) out.write('\u001b[?25h\u001b[?1049l');
      resolve(0);
    };
    const onKey = (data: Buffer | string): void => {
      const key = data.toString();
      if (key.includes('q') || key.includes('Q') || key.includes(CTRL_C)) quit();
    };
    const tick = async (): Promise<void> => {
      try {
        vassals = await client.list({ usage: true });
        problem = null;
      } catch (err) {
        problem = err instanceof Error ? err.message : String(err);
      }
      if (done) return;
      draw();
      timer = setTimeout(() => void tick(), REFRESH_MS);
    };
    if (stdin.isTTY) stdin.setRawMode(true);
    stdin.on('data', onKey);
    stdin.once('end', () => undefined); // a closed stdin (cron, pipes) leaves q unavailable; Ctrl-C still quits
    process.on('SIGINT', quit);
    if (tty) out.write('\u001b[?1049h\u001b[?25l');
    draw();
    timer = setTimeout(() => void tick(), REFRESH_MS);
  });
}

// Cuts a line to the terminal's width, counting characters outside colour escapes.
function cut(line: string, width: number): string {
  if (!Number.isFinite(width)) return line;
  let visible = 0;
  let result = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\u001b') {
      const end = line.indexOf('m', i);
      if (end >= 0) {
        result += line.slice(i, end + 1);
        i = end;
        continue;
      }
    }
    if (visible >= width) continue;
    result += line[i];
    visible++;
  }
  return result;
}
