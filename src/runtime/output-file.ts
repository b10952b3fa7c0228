// A vassal's `logto` file: instance output appended line by line.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';

export interface OutputFile {
  write(line: string): void;
  close(): void;
}

// Opens (creating directories as needed) the file for appending; failures are logged, not thrown.
export function openOutputFile(path: string, log: Logger): OutputFile {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    log.warn({ err, path }, 'cannot create the directory of logto');
  }
  const stream = createWriteStream(path, { flags: 'a' });
  stream.on('error', (err) => log.warn({ err, path }, 'cannot write to logto file'));
  return {
    write: (line) => void stream.write(line + '\n'),
    close: () => stream.end(),
  };
}
