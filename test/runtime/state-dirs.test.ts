// `dirs`: missing directories are made before an instance starts, owned by its user when root.
import { afterEach, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeStateDirs } from '../../src/runtime/state-dirs.js';
import { processSpec } from '../helpers/spec-builder.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'emperor-dirs-'));
  dirs.push(d);
  return d;
}

describe('makeStateDirs', () => {
  test('a missing directory is made 0700, its missing parents with the default mode; an existing one is left alone', () => {
    const base = tempDir();
    const existing = join(base, 'existing');
    mkdirSync(existing, { mode: 0o755 });
    expect(makeStateDirs(processSpec({ dirs: [join(base, 'var', 'db'), existing] }))).toBeNull();
    expect(statSync(join(base, 'var', 'db')).mode & 0o777).toBe(0o700);
    expect(statSync(join(base, 'var')).mode & 0o700).toBe(0o700);
    expect(statSync(existing).mode & 0o777).toBe(0o755);
  });

  test('as root, owned by the vassal user', () => {
    if (process.getuid?.() !== 0) {
      if (process.env.CI) throw new Error('this test needs root under CI');
      return;
    }
    const base = tempDir();
    const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }));
    const runAs = { user: 'nobody', uid, gid, home: '/nonexistent', shell: '/usr/sbin/nologin' };
    expect(makeStateDirs(processSpec({ dirs: [join(base, 'data')], runAs }), 0)).toBeNull();
    expect({ uid: statSync(join(base, 'data')).uid, gid: statSync(join(base, 'data')).gid }).toEqual({ uid, gid });
  });

  test('a directory that cannot be made says which and why', () => {
    const base = tempDir();
    const file = join(base, 'file');
    execFileSync('touch', [file]);
    expect(makeStateDirs(processSpec({ dirs: [join(file, 'sub')] }))).toMatch(/^dirs: cannot create .*file\/sub: /);
  });
});
