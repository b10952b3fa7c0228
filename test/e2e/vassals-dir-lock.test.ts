// One emperor per vassals directory, whatever its run directory: a second one is refused, and a
// dead one's lock (and its leftover instances, found through its run dir) is taken over.
import { afterEach, describe, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { isAlive } from '../../src/runtime/process-group.js';
import { BIN, Emperor, FOREVER, nodeVassal } from '../helpers/emperor.js';
import { waitFor } from '../helpers/wait-for.js';

// Emperors that share one temp dir are cleaned up newest first: the oldest removes the dir.
const emperors: Emperor[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  const leaked: number[] = [];
  for (const em of emperors.splice(0).reverse()) leaked.push(...(await em.cleanup()));
  expect(leaked).toEqual([]);
});

function emperor(opts: ConstructorParameters<typeof Emperor>[0] = {}): Emperor {
  const em = new Emperor(opts);
  emperors.push(em);
  return em;
}

describe('the vassals directory lock', () => {
  test('a second emperor with another run dir is refused, naming the first one, and starts nothing', async () => {
    const first = emperor();
    first.write('a.yml', nodeVassal(FOREVER));
    await first.start();
    const { pid } = await first.waitRunning('a');
    expect(existsSync(join(first.vassals, '.emperor.lock'))).toBe(true);

    const runDir2 = join(first.dir, 'run2');
    const second = spawnSync(process.execPath, [BIN, '--vassals', first.vassals, '--run-dir', runDir2, '--log-format', 'json'], { encoding: 'utf8', timeout: 15_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`another emperor (pid ${first.proc.pid}) with run dir ${first.runDir} is already running the vassals in ${first.vassals}`);
    expect(second.stderr).not.toContain('"event":"spawned"');
    expect(existsSync(join(runDir2, 'emperor.pid'))).toBe(false); // its run dir lock was given back
    // The first one is untouched: still its first instance.
    expect((await first.status('a'))!.pid).toBe(pid);
    expect((await first.status('a'))!.generation).toBe(1);

    // Through a symlink to the same directory: the same lock.
    const link = join(first.dir, 'link');
    spawnSync('ln', ['-s', first.vassals, link]);
    const third = spawnSync(process.execPath, [BIN, '--vassals', link, '--run-dir', join(first.dir, 'run3'), '--log-format', 'json'], { encoding: 'utf8', timeout: 15_000 });
    expect(third.status).toBe(1);
    expect(third.stderr).toContain(`pid ${first.proc.pid}`);

    expect(await first.stop()).toBe(0);
    expect(existsSync(join(first.vassals, '.emperor.lock'))).toBe(false);
  });

  test('after SIGKILL of the first, an emperor with another run dir takes over and stops its leftovers before starting anything', async () => {
    const first = emperor();
    first.write('a.yml', nodeVassal(FOREVER));
    await first.start();
    const old = (await first.waitRunning('a')).pid!;
    await first.kill9();
    expect(isAlive(old)).toBe(true); // an orphan, for now

    const next = emperor({ dir: first.dir, runDir: join(first.dir, 'run2') });
    await next.start();
    const now = (await next.waitRunning('a')).pid!;
    expect(now).not.toBe(old);
    expect(isAlive(old)).toBe(false);
    const tookOver = next.logs.findIndex((l) => String(l.msg).includes(`took over the vassals directory from an emperor that died (pid ${first.proc.pid})`));
    const stoppedOld = next.logs.findIndex((l) => l.instancePid === old && String(l.msg).includes(`from its run dir ${first.runDir}`));
    const spawned = next.logs.findIndex((l) => l.event === 'spawned');
    expect(tookOver).toBeGreaterThanOrEqual(0);
    expect(stoppedOld).toBeGreaterThan(tookOver);
    expect(spawned).toBeGreaterThan(stoppedOld);
  });

  test('an emperor that cannot write the vassals directory locks it under /run/lock, and a root emperor sees that lock', async () => {
    // As nobody, on a directory owned by root (mode 0755): .emperor.lock cannot be created.
    const dir = mkdtempSync(join(tmpdir(), 'emperor-test-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    chmodSync(dir, 0o755);
    const vassals = join(dir, 'vassals');
    const runDir = join(dir, 'run-nobody');
    mkdirSync(vassals, { mode: 0o755 });
    mkdirSync(runDir, { mode: 0o700 });
    chownSync(runDir, 65534, 65534);
    const args = ['--reuid', '65534', '--regid', '65534', '--clear-groups', process.execPath, BIN, '--vassals', vassals, '--run-dir', runDir, '--log-format', 'json'];
    const nobody = spawn('setpriv', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HOME: '/' } });
    const exited = new Promise<number | null>((res) => nobody.on('exit', (code) => res(code)));
    cleanups.push(() => nobody.exitCode === null && nobody.kill('SIGKILL'));
    const lines: string[] = [];
    createInterface({ input: nobody.stderr }).on('line', (l) => lines.push(l));
    await waitFor(() => lines.some((l) => l.includes('watching')), { message: 'emperor as nobody watching', timeout: 15_000 });
    const warning = lines.find((l) => l.includes('cannot write'));
    expect(warning).toMatch(/locked .* with \/run\/lock\/emperor-vassals-[0-9a-f]{16}\.lock instead/);

    const root = spawnSync(process.execPath, [BIN, '--vassals', vassals, '--run-dir', join(dir, 'run-root'), '--log-format', 'json'], { encoding: 'utf8', timeout: 15_000 });
    expect(root.status).toBe(1);
    expect(root.stderr).toContain(`another emperor (pid ${nobody.pid}) with run dir ${runDir}`);
    expect(existsSync(join(vassals, '.emperor.lock'))).toBe(false); // the refused root emperor gave its lock back

    nobody.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
