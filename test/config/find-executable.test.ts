import { describe, expect, test } from '@jest/globals';
import { chmod } from 'node:fs/promises';
import path from 'node:path';
import { findExecutable } from '../../src/config/find-executable.js';
import { useVassalDir } from './vassal-dir.js';

const vassals = useVassalDir();

async function script(name: string, mode: number): Promise<string> {
  const file = await vassals.write(name, '#!/bin/sh\nexit 0\n');
  await chmod(file, mode);
  return file;
}

describe('findExecutable', () => {
  test('a bare name is searched in PATH, in order', async () => {
    await script('first/tool', 0o644); // not executable: skipped
    const second = await script('second/tool', 0o755);
    const pathEnv = [path.join(vassals.dir, 'first'), path.join(vassals.dir, 'second')].join(':');
    expect(findExecutable('tool', pathEnv, '/')).toBe(second);
  });

  test('relative PATH entries are taken against cwd, and an empty entry means cwd', async () => {
    const tool = await script('bin/tool', 0o755);
    expect(findExecutable('tool', 'bin', vassals.dir)).toBe(tool);
    const here = await script('here', 0o755);
    expect(findExecutable('here', '/nonexistent:', vassals.dir)).toBe(here);
  });

  test('a path with a slash is checked against cwd without searching PATH', async () => {
    const tool = await script('bin/tool', 0o755);
    expect(findExecutable('./bin/tool', '', vassals.dir)).toBe(tool);
    expect(findExecutable(tool, '', '/')).toBe(tool);
    expect(findExecutable('bin/missing', path.join(vassals.dir, 'bin'), vassals.dir)).toBeUndefined();
  });

  test('a file without execute permission or a directory is not an executable', async () => {
    const plain = await script('plain', 0o644);
    expect(findExecutable(plain, '', '/')).toBeUndefined();
    expect(findExecutable('bin', vassals.dir, '/')).toBeUndefined();
    await script('bin/x', 0o755);
    expect(findExecutable(path.join(vassals.dir, 'bin'), '', '/')).toBeUndefined();
  });

  test('system programs are found through a real PATH', () => {
    expect(findExecutable('sh', '/usr/bin:/bin', '/')).toMatch(/\/sh$/);
    expect(findExecutable('no-such-program-emperor', '/usr/bin:/bin', '/')).toBeUndefined();
  });
});
