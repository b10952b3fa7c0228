// A burst of output must not leave the emperor bigger (issue 18, 7b): 300 MB written without a
// newline is kept as 64 KiB marked pieces, and the emperor's memory comes back down afterwards.
// RSS is read from /proc; the test waits on conditions with bounded deadlines, never on time.
import { afterEach, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { emperorPool, nodeVassal } from '../helpers/emperor.js';
import { waitFor } from '../helpers/wait-for.js';

const pool = emperorPool();
afterEach(async () => {
  expect(await pool.cleanupAll()).toEqual([]);
});

const MB = 1024 * 1024;
// Issue 18: RSS back within 20 MB of where it was. Pipe reads go into one shared buffer and
// log lines into reused pages (pipe-lines.ts, log-pages.ts), so a burst allocates nothing per read.
const ALLOWED_GROWTH_MB = 20;

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
}

// Writes BYTES bytes of 'x' and no newline as fast as the pipe takes them, then marks DONE.
const BURST = `const block = Buffer.alloc(1024 * 1024, 'x'); let sent = 0; const total = Number(process.env.BYTES);
function go() { while (sent < total) { sent += block.length; if (!process.stdout.write(block)) return process.stdout.once('drain', go); } process.stdout.write('', () => require('fs').writeFileSync(process.env.DONE, '1')); }
go(); setInterval(() => {}, 1000);`;

describe('memory after a burst of output', () => {
  test('300 MB without a newline: cut into marked pieces, the instance runs on, the RSS comes back down', async () => {
    const em = await pool.fresh().start();
    const pid = em.proc.pid!;
    const log = join(em.dir, 'burst.log');
    const done = join(em.dir, 'done');
    await waitFor(() => rssMb(pid) > 0, { message: 'emperor RSS' });
    const before = rssMb(pid);
    em.write('burst.yml', nodeVassal(BURST, `  env: { BYTES: "${300 * MB}", DONE: ${JSON.stringify(done)} }\n  logto: ${log}\n`));
    await waitFor(() => existsSync(done), { timeout: 240_000, message: 'the burst written' });
    // Everything but the unfinished last piece reaches the file.
    await waitFor(() => existsSync(log) && statSync(log).size >= 300 * MB - 64 * 1024, { timeout: 60_000, message: 'the burst in the file' });
    const after = await waitFor(() => {
      const rss = rssMb(pid);
      return rss <= before + ALLOWED_GROWTH_MB ? rss : null;
    }, { timeout: 90_000, interval: 200, message: `emperor RSS back within ${ALLOWED_GROWTH_MB} MB of ${before.toFixed(0)} MB` });
    expect(after - before).toBeLessThanOrEqual(ALLOWED_GROWTH_MB);
    expect((await em.api('/vassals/burst')).body).toMatchObject({ state: 'running' });
  }, 360_000);
});
