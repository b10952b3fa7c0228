// Python's glob.glob for an absolute pattern, as supervisord expands `[include] files`:
// `*`, `?` and `[...]` in any path component, and wildcards never match a leading dot.
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';

export async function pythonGlob(pattern: string): Promise<string[]> {
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  let found = ['/'];
  for (const part of parts.slice(1)) {
    const next: string[] = [];
    for (const dir of found) {
      if (!/[*?[]/.test(part)) {
        next.push(path.join(dir, part));
        continue;
      }
      const names = await readdir(dir).catch(() => [] as string[]);
      const re = fnmatchRegExp(part);
      for (const name of names) if (re.test(name) && (!name.startsWith('.') || part.startsWith('.'))) next.push(path.join(dir, name));
    }
    found = next;
  }
  const exists = await Promise.all(found.map((f) => access(f).then(() => true, () => false)));
  return found.filter((_, i) => exists[i]);
}

// fnmatch.translate, for one path component
function fnmatchRegExp(part: string): RegExp {
  let re = '';
  for (let i = 0; i < part.length; i++) {
    const c = part[i] as string;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = part.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let set = part.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        re += `[${set}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}
