// `dirs`: directories the emperor creates before an instance starts, owned by the vassal's user
// (systemd's StateDirectory=): a database running as `postgres` needs a data directory it owns
// inside a tree that root owns.
import path from 'node:path';
import { describeValue } from './describe-value.js';
import type { Report } from './report.js';

// A list of paths, relative to the vassal file's directory; absolute paths as they are.
export function readDirs(raw: unknown, key: string, report: Report, baseDir: string): readonly string[] | undefined {
  if (!Array.isArray(raw)) {
    report.error(key, `expected a list of directories like [var/postgres], got ${describeValue(raw)}`);
    return undefined;
  }
  const dirs: string[] = [];
  raw.forEach((item: unknown, i) => {
    if (typeof item === 'string' && item !== '' && !item.includes('\0')) dirs.push(path.resolve(baseDir, item));
    else report.error(`${key}[${i}]`, `expected a directory path, got ${describeValue(item)}`);
  });
  return dirs;
}
