// The emperor's own log: pino JSON lines on stderr, or pino-pretty for people at a terminal.
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

// Creates the root logger.
export function createLogger(format: 'json' | 'pretty', level: string): Logger {
  if (format === 'pretty') {
    return pino({ level, base: undefined }, pretty({ destination: 2, colorize: process.stderr.isTTY && !process.env.NO_COLOR, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true }));
  }
  return pino({ level, base: { pid: process.pid } }, pino.destination({ dest: 2, sync: true }));
}
