// Every daemon option error exits 2 with the path (or value) and the reason, before anything runs.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, ROOT, runCli } from './helpers/run-cli.js';

const NOBODY = 65534;
let dir: string;
let vassals: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'emperor-options-'));
  vassals = join(dir, 'vassals');
  mkdirSync(vassals);
  chmodSync(dir, 0o755);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// The daemon with these options must refuse to start: it would otherwise run (and be killed by the timeout).
async function refused(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  const r = await runCli(['--vassals', vassals, '--log-format', 'json', ...args], {}, 15_000);
  return { code: r.code, stderr: r.stderr };
}

function requireRoot(what: string): boolean {
  if (process.getuid?.() === 0) return true;
  if (process.env.CI) throw new Error(`${what} needs root (CI runs the tests as root)`);
  return false;
}

// Runs the CLI as nobody, for what root would be allowed to do.
function runAsNobody(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin', 'emperor.js'), ...args], { uid: NOBODY, gid: NOBODY, env: { ...process.env, NO_COLOR: '1' }, timeout: 15_000 }, (err, _stdout, stderr) => {
      resolve({ code: typeof err?.code === 'number' ? err.code : err ? -1 : 0, stderr });
    });
  });
}

describe('daemon options that fail clearly', () => {
  test('--log-level with an unknown level lists the levels', async () => {
    const r = await refused(['--log-level', 'verbose']);
    expect(r).toEqual({ code: 2, stderr: expect.stringContaining("argument 'verbose' is invalid. Allowed choices are trace, debug, info, warn, error, fatal.") });
  });

  test('--run-dir that is a file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    expect(await refused(['--run-dir', file])).toEqual({ code: 2, stderr: `emperor: --run-dir ${file}: exists and is not a directory\n` });
  });

  test('--run-dir under a file', async () => {
    expect(await refused(['--run-dir', '/etc/passwd/run'])).toEqual({ code: 2, stderr: 'emperor: --run-dir /etc/passwd/run: cannot be created: /etc/passwd is not a directory\n' });
  });

  test.each([
    ['/proc/nope', 'proc'],
    ['/proc/self/emperor/run', 'proc'],
    ['/sys/nope', 'sysfs'],
  ])('--run-dir %s on a virtual filesystem', async (path, fs) => {
    expect(await refused(['--run-dir', path])).toEqual({ code: 2, stderr: expect.stringContaining(`emperor: --run-dir ${path}: is on a virtual filesystem (${fs})`) });
  });

  test('--run-dir on a read-only filesystem', async () => {
    if (!requireRoot('mounting a read-only filesystem')) return;
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro]);
    try {
      expect(await refused(['--run-dir', join(ro, 'run')])).toEqual({ code: 2, stderr: `emperor: --run-dir ${join(ro, 'run')}: is on a read-only filesystem\n` });
    } finally {
      execFileSync('umount', [ro]);
    }
  });

  test('--run-dir the user cannot create, and --vassals the user cannot read', async () => {
    if (!requireRoot('running the CLI as another user')) return;
    const rootOnly = join(dir, 'root-only');
    mkdirSync(rootOnly, { mode: 0o755 });
    const r1 = await runAsNobody(['--vassals', vassals, '--run-dir', join(rootOnly, 'run')]);
    expect(r1).toEqual({ code: 2, stderr: `emperor: --run-dir ${join(rootOnly, 'run')}: cannot be created: ${rootOnly} is not writable by this user (permission denied)\n` });
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o700 });
    const r0 = await runAsNobody(['--vassals', vassals, '--run-dir', join(locked, 'run')]);
    expect(r0).toEqual({ code: 2, stderr: `emperor: --run-dir ${join(locked, 'run')}: cannot be used: EACCES: permission denied, stat '${join(locked, 'run')}'\n` });
    const r2 = await runAsNobody(['--vassals', locked, '--run-dir', join(dir, 'nobody-run')]);
    expect(r2).toEqual({ code: 2, stderr: expect.stringContaining(`emperor: --vassals ${locked}: cannot read the directory (EACCES: permission denied`) });
    expect(existsSync(join(dir, 'nobody-run'))).toBe(false);
  });

  test('--vassals naming a file', async () => {
    const file = join(dir, 'vassal.yml');
    writeFileSync(file, 'emperor:\n  command: [sleep, "1"]\n');
    expect(await runCli(['--vassals', file])).toMatchObject({ code: 2, stderr: `emperor: --vassals ${file}: not a directory\n` });
  });

  test.each([
    [['--throttle', 'soon'], /--throttle <duration>' argument 'soon' is invalid\. expected a duration like 10s/],
    [['--max-throttle', '-1s'], /--max-throttle <duration>' argument '-1s' is invalid/],
    [['--required-heartbeat', 'x'], /--required-heartbeat <duration>' argument 'x' is invalid/],
    [['--log-format', 'xml'], /expected json or pretty, got 'xml'/],
    [['--control-group', 'no-such-group-xyz'], /--control-group no-such-group-xyz: no such group/],
    [['--tyrant-allow-root'], /--tyrant-allow-root only makes sense with --tyrant/],
  ])('%j exits 2', async (args, message) => {
    const r = await refused(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
