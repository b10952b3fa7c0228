// `after`: the vassals that must be ready before this one starts (start order, like systemd's
// After= with Requires=: supervisord#122 and pm2#2831 ask for it).
import { describeValue } from './describe-value.js';
import type { Report } from './report.js';

// A vassal's name is its file name without the extension: no slash, not empty.
const NAME = /^[^/\0]+$/;

// A list of names, or one string of names separated by commas or spaces (the INI form).
export function readAfter(raw: unknown, key: string, report: Report): readonly string[] | undefined {
  const items = typeof raw === 'string' ? raw.split(/[\s,]+/).filter(Boolean) : Array.isArray(raw) ? raw : undefined;
  if (items === undefined) {
    report.error(key, `expected a list of vassal names like [postgres, redis], got ${describeValue(raw)}`);
    return undefined;
  }
  const names: string[] = [];
  items.forEach((item: unknown, i) => {
    if (typeof item === 'string' && NAME.test(item)) names.push(item);
    else report.error(`${key}[${i}]`, `expected a vassal name (its file name without the extension), got ${describeValue(item)}`);
  });
  return [...new Set(names)];
}
