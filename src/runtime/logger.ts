// The emperor's own log: pino JSON lines (or pino-pretty for people at a terminal) on stderr,
// or in --log-file, which is reopened at its path on SIGUSR1 / `emperor reopen-logs`.
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type { PrettyOptions, PrettyStream } from 'pino-pretty';

// pino-pretty (and its colour and date libraries) is loaded only for a terminal: a daemon
// logging JSON under systemd never pays its memory.
const loadPretty = (): ((options: PrettyOptions) => PrettyStream) => createRequire(import.meta.url)('pino-pretty') as (options: PrettyOptions) => PrettyStream;

export interface EmperorLog {
  readonly log: Logger;
  /** Reopens --log-file at its path (logrotate moved it); false when the log is stderr. */
  reopen(): boolean;
}

// Creates the root logger.
export function createLogger(format: 'json' | 'pretty', level: string, file?: string): EmperorLog {
  const dest = pino.destination(file === undefined ? { dest: 2, sync: true } : { dest: file, sync: true, mkdir: true, append: true });
  const reopen = (): boolean => {
    if (file === undefined) return false;
    dest.reopen();
    return true;
  };
  if (format === 'pretty') {
    const pretty = loadPretty();
    const colorize = file === undefined && process.stderr.isTTY && !process.env.NO_COLOR;
    return { log: pino({ level, base: undefined }, pretty({ destination: dest, colorize, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true })), reopen };
  }
  return { log: pino({ level, base: { pid: process.pid } }, dest), reopen };
}
