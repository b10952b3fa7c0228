// Behaviour at scale (never timings: those are in bench/): 2000 vassals dropped at once all run,
// each in its own process; removing the 2000 files stops every one of them, and the emperor
// is left with the descriptors it had before (no pipe, socket or watcher leaked per vassal).
import { afterEach, describe, expect, test } from '@jest/globals';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProcStat } from '../../src/runtime/process-group.js';
import type { VassalStatus } from '../../src/core/status.js';
import { emperorPool } from '../helpers/emperor.js';
import { waitFor } from '../helpers/wait-for.js';

const N = 2000;
const pool = emperorPool();
afterEach(async () => {
  expect(await pool.cleanupAll()).toEqual([]);
});

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

// Live processes whose group is one of `pgids`, from one pass over /proc.
function liveInGroups(pgids: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const st = readProcStat(Number(entry));
    if (st && pgids.has(st.pgrp) && st.state !== 'Z' && st.state !== 'X') out.push(st.pid);
  }
  return out;
}

describe(`${N} vassals`, () => {
  test('all run, each its own process group; removing the files stops every one; no descriptors leak', async () => {
    const em = await pool.fresh().start();
    const pid = em.proc.pid!;
    const fdsBefore = openFds(pid);
    const names = Array.from({ length: N }, (_, i) => `s${String(i).padStart(4, '0')}`);
    for (const name of names) writeFileSync(join(em.vassals, `${name}.yml`), 'emperor:\n  command: [sleep, infinity]\n');

    const list = async (): Promise<VassalStatus[]> => (await em.api<{ vassals: VassalStatus[] }>('/vassals')).body.vassals;
    const running = await waitFor(async () => {
      const vs = await list();
      return vs.filter((v) => v.state === 'running' && v.pid).length === N ? vs : null;
    }, { message: `${N} running`, timeout: 400_000, interval: 1000 });
    const pids = new Set(running.map((v) => v.pid!));
    expect(pids.size).toBe(N);
    expect(liveInGroups(pids).length).toBeGreaterThanOrEqual(N);

    for (const name of names) rmSync(join(em.vassals, `${name}.yml`));
    await waitFor(async () => (await list()).length === 0, { message: 'every vassal gone', timeout: 400_000, interval: 1000 });
    expect(liveInGroups(pids)).toEqual([]);
    expect(em.logs.filter((l) => l.event === 'exited').length).toBe(N);
    // A descriptor or two may come and go (the API connection, a log file rotation check).
    await waitFor(() => openFds(pid) <= fdsBefore + 4, { message: `fds back to ${fdsBefore} (now ${openFds(pid)})` });
  }, 900_000);
});
