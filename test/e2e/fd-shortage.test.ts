// Transient resource errors are retried, never final: with the emperor's nofile limit lowered
// (prlimit --pid) reads and spawns fail with EMFILE; they are shown with a hint and retried, and
// everything starts once the limit is raised. No failure becomes an internal error.
import { afterEach, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { emperorPool } from '../helpers/emperor.js';
import { waitFor } from '../helpers/wait-for.js';

const pool = emperorPool();
afterEach(async () => {
  expect(await pool.cleanupAll()).toEqual([]);
});

const vassal = (name: string): string => `emperor:\n  command: [sleep, "100000"]\n  env: { MARK: v-${name} }\n`;

describe('a shortage of file descriptors', () => {
  test('EMFILE on read and spawn is retried and shown with a hint; raising the limit starts everything', async () => {
    const em = await pool.fresh().start();
    const pid = em.proc.pid!;
    const used = readdirSync(`/proc/${pid}/fd`).length;
    // The soft limit only: raising a hard limit again needs CAP_SYS_RESOURCE, which a container may lack.
    execFileSync('prlimit', ['--pid', String(pid), `--nofile=${used + 2}:`]);
    const names = Array.from({ length: 10 }, (_, i) => `f${i}`);
    for (const n of names) em.write(`${n}.yml`, vassal(n));
    const hinted = (l: { msg?: unknown }): boolean => /EMFILE/.test(String(l.msg)) && /nofile limit: it has \d+, \d+ in use/.test(String(l.msg));
    await waitFor(() => em.logs.some(hinted), { message: 'an EMFILE with the nofile hint in the log' });
    execFileSync('prlimit', ['--pid', String(pid), '--nofile=4096:']);
    for (const n of names) await em.waitRunning(n);
    expect(em.logs.some((l) => String(l.msg).includes('please report it'))).toBe(false);
    expect(em.exitCode).toBeNull();
  });
});
