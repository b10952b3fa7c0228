// `command`: a list is an argv (run directly), a string is a script for /bin/sh -c.
import { describeValue } from './describe-value.js';
import type { Report } from './report.js';
import type { Command } from '../core/spec.js';

const EXPECTED = 'expected a list of arguments like [node, server.js] or a shell command string';

// Read a written command; numbers in an argv (YAML `--port, 8080`) become strings
export function readCommand(raw: unknown, key: string, report: Report): Command | undefined {
  if (typeof raw === 'string') {
    if (raw.trim() !== '') return { kind: 'shell', script: raw };
    report.error(key, `${EXPECTED}, got an empty string`);
    return undefined;
  }
  if (!Array.isArray(raw)) {
    report.error(key, `${EXPECTED}, got ${describeValue(raw)}`);
    return undefined;
  }
  if (raw.length === 0) {
    report.error(key, `${EXPECTED}, got an empty list`);
    return undefined;
  }
  const argv: string[] = [];
  raw.forEach((arg: unknown, index) => {
    if (typeof arg === 'string' || (typeof arg === 'number' && Number.isFinite(arg))) argv.push(String(arg));
    else report.error(`${key}[${index}]`, `expected an argument (a string), got ${describeValue(arg)}`);
  });
  if (argv.length !== raw.length) return undefined;
  if (argv[0] === '') {
    report.error(`${key}[0]`, 'expected the program to run, got an empty string');
    return undefined;
  }
  return { kind: 'argv', argv };
}
