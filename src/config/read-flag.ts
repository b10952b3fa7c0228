// A yes/no key: YAML's booleans, or the words INI and uWSGI files use (true/yes/on, false/no/off).
import { describeValue } from './describe-value.js';
import type { Report } from './report.js';

export function readFlag(raw: unknown, key: string, report: Report): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  const word = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (['true', 'yes', 'on'].includes(word)) return true;
  if (['false', 'no', 'off'].includes(word)) return false;
  report.error(key, `expected true or false, got ${describeValue(raw)}`);
  return undefined;
}
