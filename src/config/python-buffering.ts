// A readiness trap: Python block-buffers its stdout when it is not a terminal (and the emperor
// reads it through a pipe), so the line a `ready: log:` probe waits for may sit in the buffer
// until ready-timeout. `python -u` or PYTHONUNBUFFERED makes it write each line at once.
import type { Report } from './report.js';
import type { Command, ProcessSpec } from '../core/spec.js';

const PYTHON = /^python[0-9.]*$/;

// Warn when a log readiness probe watches a Python program whose output is buffered
export function warnBufferedPython(spec: ProcessSpec, prefix: string, report: Report): void {
  if (spec.ready.kind !== 'log' || (spec.env.PYTHONUNBUFFERED ?? '') !== '' || !bufferedPython(spec.command)) return;
  report.warn(
    `${prefix}.ready`,
    'a log readiness probe on a Python program whose output is buffered: Python holds its stdout in a buffer when it writes to a pipe, so the line may not arrive before ready-timeout; run `python -u …` or set env PYTHONUNBUFFERED: "1"',
  );
}

function bufferedPython(command: Command): boolean {
  if (command.kind === 'shell') {
    const words = command.script.split(/[\s;&|()]+/);
    const at = words.findIndex((w) => PYTHON.test(w.split('/').pop() ?? ''));
    return at !== -1 && !command.script.includes('PYTHONUNBUFFERED') && !hasUnbufferedFlag(words.slice(at + 1));
  }
  // `env [VAR=value …] python …` runs python too.
  let args = [...command.argv];
  if ((args[0]?.split('/').pop() ?? '') === 'env') {
    args = args.slice(1);
    while (args[0]?.includes('=') === true) {
      if (args[0].startsWith('PYTHONUNBUFFERED=') && args[0] !== 'PYTHONUNBUFFERED=') return false;
      args = args.slice(1);
    }
  }
  const program = args[0]?.split('/').pop() ?? '';
  return PYTHON.test(program) && !hasUnbufferedFlag(args.slice(1));
}

// Python's own options come before the script, -c or -m; `-u` may be grouped (`-Bu`).
function hasUnbufferedFlag(args: readonly string[]): boolean {
  for (const arg of args) {
    if (!arg.startsWith('-') || arg === '-' || arg === '--') return false;
    if (/^-[a-zA-Z]*u[a-zA-Z]*$/.test(arg) && !arg.startsWith('-c') && !arg.startsWith('-m')) return true;
    if (arg.startsWith('-c') || arg.startsWith('-m')) return false;
  }
  return false;
}
