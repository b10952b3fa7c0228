// The emperor's own log: pino JSON lines on stderr, or pino-pretty for people at a terminal.
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type { PrettyOptions, PrettyStream } from 'pino-pretty';

// pino-pretty (and its colour and date libraries) is loaded only for a terminal: a daemon
// logging JSON under systemd never pays its memory.
const loadPretty = (): ((options: PrettyOptions) => PrettyStream) => createRequire(import.meta.url)('pino-pretty') as (options: PrettyOptions) => PrettyStream;

// Creates the root logger.
export function createLogger(format: 'json' | 'pretty', level: string): Logger {
  if (format === 'pretty') {
    const pretty = loadPretty();
    return pino({ level, base: undefined }, pretty({ destination: 2, colorize: process.stderr.isTTY && !process.env.NO_COLOR, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
  }
  return pino({ level, base: { pid: process.pid } }, pino.destination({ dest: 2, sync: true }));
}
