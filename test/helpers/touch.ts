// `touch` for tests: every call gives the file a new mtime, later than any before, so that two
// touches in the same millisecond still count as two.
import { utimesSync } from 'node:fs';

let last = 0;

export function touch(path: string): void {
  last = Math.max(Date.now() + 2000, last + 10);
  const t = new Date(last);
  utimesSync(path, t, t);
}
