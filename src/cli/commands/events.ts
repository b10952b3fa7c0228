// `emperor events [NAME] [--json]`: follows GET /events[?vassal=NAME] until Ctrl-C, one line
// per lifecycle event ("12:00:01.234  web  spawned generation 3 (pid 4242)"), or NDJSON.
import type { Command } from 'commander';
import type { LifecycleEvent } from '../../core/lifecycle-event.js';
import { addConnectionOptions, clientFor } from '../connection.js';
import { painter, useColour } from '../output.js';

export function registerEvents(program: Command, run: (action: () => Promise<number>) => Promise<void>): void {
  const cmd = program
    .command('events')
    .description('follow the lifecycle events of every vassal, or of one, as they happen (Ctrl-C ends)')
    .argument('[name]', 'only this vassal')
    .option('--json', 'one JSON object per line, as the API sends them (see docs/api.md)')
    .addHelpText('after', `
Each line: time, vassal, and what happened in the words of the log. Only events from now on
are shown (there is no replay); \`emperor logs NAME\` has the instances' own output.

Examples:
  $ emperor events
  $ emperor events worker
  $ emperor events --json | jq -c 'select(.type == "exited")'`);
  addConnectionOptions(cmd).action((name: string | undefined) => run(async () => {
    const json = cmd.opts<{ json?: boolean }>().json === true;
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const paint = painter(useColour());
    try {
      const events = await clientFor(cmd).events({ ...(name === undefined ? {} : { vassal: name }), signal: controller.signal });
      for await (const event of events) process.stdout.write(json ? `${JSON.stringify(event)}\n` : `${formatEvent(event, paint)}\n`);
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  }));
}

const LOUD: ReadonlySet<string> = new Set(['broken', 'fatal', 'spawn-failed', 'dance-failed', 'reload-failed', 'killing']);

// "12:00:01.234  web  spawned generation 3 (pid 4242)"
export function formatEvent(e: LifecycleEvent, paint: ReturnType<typeof painter>): string {
  const at = new Date(e.at);
  const time = `${at.toTimeString().slice(0, 8)}.${String(at.getMilliseconds()).padStart(3, '0')}`;
  const failed = LOUD.has(e.type) || (e.type === 'done' && !e.ok) || (e.type === 'exited' && e.message.includes('(unexpected)'));
  const message = e.type === 'done' ? `${e.action} ${e.ok ? 'done' : 'failed'}: ${e.message.startsWith(`${e.vassal}: `) ? e.message.slice(e.vassal.length + 2) : e.message}` : e.message;
  return `${paint('dim', time)}  ${paint('bold', e.vassal)}  ${failed ? paint('red', message) : message}`;
}
