// The emperor's own signals and death: no process left behind, never a duplicate instance.
import { afterEach, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../../src/runtime/process-group.js';
import { BIN, Emperor, emperorPool, FOREVER, nodeVassal } from '../helpers/emperor.js';
import { holdsFor, waitFor } from '../helpers/wait-for.js';

const pool = emperorPool();
const fresh = (): Emperor => pool.fresh();
afterEach(async () => {
  expect(await pool.cleanupAll()).toEqual([]);
});

describe('emperor signals and crash safety', () => {
  test('SIGTERM stops every vassal in parallel and exits 0 leaving no process behind', async () => {
    const em = await fresh().start();
    for (const n of ['a', 'b', 'c']) em.write(`${n}.yml`, nodeVassal(FOREVER));
    const pids = await Promise.all(['a', 'b', 'c'].map(async (n) => (await em.waitRunning(n)).pid!));
    expect(await em.stop()).toBe(0);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });

  test('SIGTERM exits at once even while a vassal waits out a long throttle delay', async () => {
    const em = await fresh().start({ args: ['--throttle', '30s', '--max-throttle', '60s'] });
    em.write('crash.yml', nodeVassal('process.exit(1)'));
    await em.waitStatus('crash', (s) => s.state === 'throttled', 'throttled for 30 s');
    const t0 = Date.now();
    expect(await em.stop()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  test('a second SIGTERM kills every group at once', async () => {
    const em = await fresh().start();
    em.write('slow.yml', nodeVassal("process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)", '  stop-timeout: 60s\n'));
    const { pid } = await em.waitRunning('slow');
    em.proc.kill('SIGTERM');
    await waitFor(() => em.logs.some((l) => l.event === 'stopping'), { message: 'stopping' });
    em.proc.kill('SIGTERM');
    expect(await em.exited).toBe(0);
    expect(isAlive(pid!)).toBe(false);
  });

  test('after SIGKILL of the emperor, a new one stops the leftovers and runs exactly one instance per vassal', async () => {
    const em = await fresh().start();
    for (const n of ['a', 'b']) em.write(`${n}.yml`, nodeVassal(FOREVER));
    const old = await Promise.all(['a', 'b'].map(async (n) => (await em.waitRunning(n)).pid!));
    await em.kill9();
    for (const pid of old) expect(isAlive(pid)).toBe(true); // orphans, for now
    await em.start();
    const now = await Promise.all(['a', 'b'].map(async (n) => (await em.waitRunning(n)).pid!));
    for (const pid of old) expect(isAlive(pid)).toBe(false);
    for (const pid of now) expect(old).not.toContain(pid);
    expect(em.logs.filter((l) => String(l.msg).includes('left behind'))).toHaveLength(2);
  });

  test('a second emperor on the same run directory refuses to start and names the first one', async () => {
    const em = await fresh().start();
    const second = spawnSync(process.execPath, [BIN, '--vassals', em.vassals, '--run-dir', em.runDir, '--log-format', 'json'], { encoding: 'utf8', timeout: 15_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`pid ${em.proc.pid}`);
  });

  test('a missing vassals directory is a usage error with exit code 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emperor-test-'));
    const r = spawnSync(process.execPath, [BIN, '--vassals', join(dir, 'nope'), '--run-dir', join(dir, 'run')], { encoding: 'utf8', timeout: 15_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nope/);
  });

  test('SIGHUP rescans the directory without disturbing running vassals', async () => {
    const em = await fresh().start();
    em.write('a.yml', nodeVassal(FOREVER));
    const { pid } = await em.waitRunning('a');
    em.proc.kill('SIGHUP');
    await waitFor(() => em.logs.some((l) => String(l.msg).includes('rescanning')), { message: 'rescan logged' });
    // The window is the point: a rescan that disturbed the vassal would respawn it within it.
    await holdsFor(() => em.events('a', 'spawned').length === 1, { ms: 300, message: 'no second spawn after SIGHUP' });
    const s = await em.status('a');
    expect(s?.pid).toBe(pid);
    expect(s?.generation).toBe(1);
  });
});
