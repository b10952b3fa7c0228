// Unknown keys in the emperor's own sections are errors: a typo such as `stop-timout` must never
// run with the default it meant to change. The closest known key is suggested.
import { closestWord } from '../lib/closest-word.js';
import type { Report } from './report.js';

// Report each key of `section` (at dotted path `key`) that is not in `known`; `reported` were already reported otherwise
export function rejectUnknownKeys(section: Record<string, unknown>, key: string, known: readonly string[], report: Report, reported: readonly string[] = []): void {
  for (const name of Object.keys(section)) {
    if (known.includes(name) || reported.includes(name)) continue;
    report.error(`${key}.${name}`, unknownKeyMessage(name, known));
  }
}

// "unknown key; did you mean X?", or the list of known keys when none is close
export function unknownKeyMessage(name: string, known: readonly string[]): string {
  const near = closestWord(name, known);
  return near === undefined ? `unknown key; known keys: ${known.join(', ')}` : `unknown key; did you mean ${near}?`;
}
