import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../control/helpers/temp-dir.js';
import { ensureBuilt, runCli } from './helpers/run-cli.js';

describe('emperor check', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeAll(async () => {
    ensureBuilt();
    dir = await tempDir();
    await mkdir(join(dir.path, 'good'));
    await writeFile(join(dir.path, 'good', 'web.yaml'), 'emperor:\n  command: [node, -e, "setInterval(() => {}, 1000)"]\n');
    await writeFile(join(dir.path, 'good', 'notes.txt'), 'not a vassal');
    await writeFile(join(dir.path, 'good', '.web.yaml.swp'), 'editor leftovers');
    await mkdir(join(dir.path, 'mixed'));
    await writeFile(join(dir.path, 'mixed', 'ok.json'), JSON.stringify({ emperor: { command: ['node', '-e', '1'] } }));
    await writeFile(join(dir.path, 'mixed', 'broken.yaml'), 'emperor:\n  command: [node, app.js]\n  stop-timeout: soon\n');
  });
  afterAll(async () => {
    await dir.remove();
  });

  test('a directory of good files prints "file: ok" for each vassal file and exits 0', async () => {
    const r = await runCli(['check', join(dir.path, 'good')]);
    expect(r.stderr).toBe('');
    expect(r).toMatchObject({ code: 0, stdout: `${join(dir.path, 'good', 'web.yaml')}: ok\n` });
  });

  test('a bad file prints one "file: key: problem" line per error and exits 1', async () => {
    const r = await runCli(['check', join(dir.path, 'mixed')]);
    expect(r.code).toBe(1);
    const broken = join(dir.path, 'mixed', 'broken.yaml');
    expect(r.stdout).toContain(`${broken}: emperor.stop-timeout: `);
    expect(r.stdout).toContain(`${join(dir.path, 'mixed', 'ok.json')}: ok\n`);
  });

  test('a missing path exits 1 and says so', async () => {
    const missing = join(dir.path, 'nope.yaml');
    const r = await runCli(['check', missing]);
    expect(r).toMatchObject({ code: 1, stderr: `${missing}: no such file or directory\n` });
  });

  test('check without a path is a usage error', async () => {
    const r = await runCli(['check']);
    expect(r).toMatchObject({ code: 2, stderr: expect.stringContaining('nothing to check: give vassal files, or --vassals DIR') });
  });

  test('--vassals DIR checks the directory the way the daemon loads it', async () => {
    const r = await runCli(['check', '--vassals', join(dir.path, 'good')]);
    expect(r).toMatchObject({ code: 0, stdout: `${join(dir.path, 'good', 'web.yaml')}: ok\n` });
  });

  test('--vassals that is not a directory is a usage error naming the reason', async () => {
    const file = join(dir.path, 'good', 'web.yaml');
    expect(await runCli(['check', '--vassals', file])).toMatchObject({ code: 2, stderr: `emperor: ${file}: not a directory\n` });
    const missing = join(dir.path, 'nope');
    expect(await runCli(['check', '--vassals', missing])).toMatchObject({ code: 2, stderr: `emperor: ${missing}: no such directory\n` });
  });

  test('--json gives every file with its errors and warnings, and the same exit status', async () => {
    const r = await runCli(['check', '--json', join(dir.path, 'mixed')]);
    expect(r.code).toBe(1);
    const broken = join(dir.path, 'mixed', 'broken.yaml');
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      files: [
        { file: broken, name: 'broken', ok: false, errors: [{ file: broken, key: 'emperor.stop-timeout', message: expect.stringContaining('expected a duration') }], warnings: [] },
        { file: join(dir.path, 'mixed', 'ok.json'), name: 'ok', ok: true, errors: [], warnings: [] },
      ],
    });
  });

  test('a typo in a key fails with the closest known key', async () => {
    const file = join(dir.path, 'typo.yml');
    await writeFile(file, 'emperor:\n  command: [node, -e, "1"]\n  stop-timout: 5s\n');
    expect(await runCli(['check', file])).toMatchObject({ code: 1, stdout: `${file}: emperor.stop-timout: unknown key; did you mean stop-timeout?\n` });
  });

  test('a program that is not found fails the check', async () => {
    const file = join(dir.path, 'prog.yml');
    await writeFile(file, 'emperor:\n  command: [no-such-program-xyz]\n');
    const r = await runCli(['check', file]);
    expect(r).toMatchObject({ code: 1, stdout: expect.stringContaining(`${file}: emperor.command: command not found: no-such-program-xyz`) });
  });
});
