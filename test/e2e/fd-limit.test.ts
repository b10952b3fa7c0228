// The emperor's open-file limit: raised to the hard limit at start, and running out of
// descriptors is a throttled vassal with EMFILE in its error, never a crashed emperor.
import { afterEach, describe, expect, test } from '@jest/globals';
import { rmSync } from 'node:fs';
import { readFdLimit } from '../../src/lib/open-file-limit.js';
import { emperorPool } from '../helpers/emperor.js';
import { waitFor } from '../helpers/wait-for.js';

const pool = emperorPool();
afterEach(async () => {
  expect(await pool.cleanupAll()).toEqual([]);
});

const SLEEPER = 'emperor:\n  command: [sleep, infinity]\n';

describe('the open-file limit', () => {
  test('the soft limit is raised to the hard limit at start, and logged', async () => {
    const em = pool.fresh();
    await em.start({ prefix: ['prlimit', '--nofile=256:4096', '--'] });
    expect(readFdLimit(em.proc.pid)).toEqual({ soft: 4096, hard: 4096 });
    // Node raises it itself at start-up where it can; either way the emperor says what it has.
    expect(em.logs.some((l) => l.msg === 'open-file limit 4096 (the hard limit)' || l.msg === 'open-file limit raised from 256 to 4096 (the hard limit)')).toBe(true);
  });

  test('out of descriptors: a warning with the numbers, failed starts throttled with EMFILE, the emperor unharmed; fewer vassals all run', async () => {
    const em = pool.fresh();
    const files = Array.from({ length: 40 }, (_, i) => em.write(`s${i}.yml`, SLEEPER));
    await em.start({ prefix: ['prlimit', '--nofile=100:100', '--'] });
    await waitFor(() => em.logs.find((l) => /^40 vassals need about \d+ open files in the emperor, but it may open 100 \(hard limit 100\)/.test(String(l.msg))), { message: 'fd warning' });
    await waitFor(() => em.logs.find((l) => l.event === 'spawn-failed' && /EMFILE/.test(String(l.msg))), { message: 'a spawn failed with EMFILE', timeout: 20_000 });
    const failed = await waitFor(async () => {
      const list = (await em.api<{ vassals: { name: string; state: string; error: string | null }[] }>('/vassals')).body.vassals;
      return list.find((v) => v.state === 'throttled' && /EMFILE/.test(v.error ?? ''));
    }, { message: 'a vassal throttled with EMFILE in its error', timeout: 20_000 });
    expect(failed.error).toMatch(/cannot start .*sleep.*EMFILE/);
    // Fewer vassals fit: remove most files and every one left runs.
    for (const file of files.slice(10)) rmSync(file);
    for (let i = 0; i < 10; i++) await em.waitRunning(`s${i}`, 30_000);
    expect(em.exitCode).toBeNull();
  });
});
