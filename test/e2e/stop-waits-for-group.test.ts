// `stop` (waiting) answers only once the instance's whole process group is gone, not as soon as
// its leader exits: a grandchild that ignores SIGTERM and lingers must be waited for.
import { afterEach, describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProcStat } from '../../src/runtime/process-group.js';
import { emperorPool } from '../helpers/emperor.js';

const LINGER_S = 1.2;

const pool = emperorPool();
const groups: number[] = [];
afterEach(async () => {
  try {
    expect(await pool.cleanupAll()).toEqual([]);
  } finally {
    // A group the emperor never logged as spawned is still ours to end.
    for (const pgid of groups.splice(0)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

// The leader exits at once on SIGTERM. `sleep 1000` dies with it, closing the pipe; the
// lingerer (TERM ignored, and so for its `cat` and `sleep`) reads that EOF, stays LINGER_S
// longer, writes the mark and exits. Everything stays in the leader's process group.
function lingeringVassal(mark: string): string {
  const script = [
    "trap 'exit 0' TERM",
    `sleep 1000 | (trap '' TERM; echo lingerer ready; cat >/dev/null; sleep ${LINGER_S}; echo lingered > '${mark}') &`,
    'wait',
  ].join('\n');
  return [
    'emperor:',
    `  command: ["/bin/sh", "-c", ${JSON.stringify(script)}]`,
    '  ready: "log: ^lingerer ready"',
    '  stop-timeout: 10s',
    '',
  ].join('\n');
}

// Every process of the group that has not died, read from /proc (field 5 of stat is the
// group; a zombie counts as dead), with its command line for the failure message.
function liveGroupMembers(pgid: number): string[] {
  const live: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const st = readProcStat(Number(entry));
    if (!st || st.pgrp !== pgid || st.state === 'Z' || st.state === 'X') continue;
    let cmd = '?';
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      // exited meanwhile
    }
    live.push(`${st.pid} ${st.state} ${cmd}`);
  }
  return live;
}

describe('stopping a vassal', () => {
  test('stop with wait answers only after every process of the group is gone', async () => {
    const em = await pool.fresh().start();
    const mark = join(em.dir, 'lingered');
    em.write('lingering.yml', lingeringVassal(mark));
    const s = await em.waitRunning('lingering');
    const pgid = s.pid!;
    groups.push(pgid);
    expect(readProcStat(pgid)?.pgrp).toBe(pgid);
    expect(liveGroupMembers(pgid).length).toBeGreaterThanOrEqual(2); // the leader and the lingerer

    const r = await em.api<{ ok: boolean; message: string }>('/vassals/lingering/stop', 'POST', '{"wait": true}');
    const stillAlive = liveGroupMembers(pgid); // read the moment stop answers
    const lingered = existsSync(mark); // the lingerer finished its LINGER_S on its own, not killed

    expect(stillAlive).toEqual([]);
    expect(lingered).toBe(true);
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(true);
    expect((await em.status('lingering'))?.state).toBe('stopped');
  });
});
