// The shared wait for exited leaders' process groups: real process groups whose leader exits
// and leaves a member behind, one at a time and hundreds at once.
import { afterEach, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { GroupSweeper } from '../../src/runtime/group-sweeper.js';
import { groupMembers } from '../../src/runtime/process-group.js';
import { systemClock } from '../../src/runtime/clock.js';
import { waitFor } from '../helpers/wait-for.js';

const groups: number[] = [];
afterEach(() => {
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});

// A group leader (sh) that starts `sleep 60` in its own group and exits at once; resolves with
// the group id once the leader has exited and been reaped and the sleep is there.
async function leaderGone(script: string): Promise<number> {
  const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
  const pgid = child.pid!;
  groups.push(pgid);
  await new Promise((res) => child.once('exit', res));
  await waitFor(() => groupMembers(pgid).length > 0, { message: `the sleep of group ${pgid}` });
  return pgid;
}

interface Outcome {
  done: boolean;
  leftBehind: string[];
}

function waitOn(sweeper: GroupSweeper, pgid: number, stopTimeoutMs: number): Outcome {
  const o: Outcome = { done: false, leftBehind: [] };
  sweeper.wait({ pgid, cgroup: null, stopTimeoutMs, leftBehind: (d) => o.leftBehind.push(d), done: () => (o.done = true) });
  return o;
}

describe('GroupSweeper', () => {
  test('a group already empty is done at once', async () => {
    const child = spawn('/bin/true', [], { detached: true, stdio: 'ignore' });
    await new Promise((res) => child.once('exit', res));
    const sweeper = new GroupSweeper(systemClock);
    const o = waitOn(sweeper, child.pid!, 10_000);
    expect(o.done).toBe(true);
    expect(sweeper.size).toBe(0);
  });

  test('a member left behind is sent SIGTERM; done when it has died', async () => {
    const pgid = await leaderGone('sleep 60 & exit 0');
    const sweeper = new GroupSweeper(systemClock);
    const o = waitOn(sweeper, pgid, 60_000);
    await waitFor(() => o.done, { message: 'group empty after SIGTERM' });
    expect(groupMembers(pgid)).toEqual([]);
    expect(sweeper.size).toBe(0);
  });

  test('a member that ignores SIGTERM is named, then SIGKILLed after the stop timeout', async () => {
    const pgid = await leaderGone("trap '' TERM; sleep 60 & exit 0");
    const sweeper = new GroupSweeper(systemClock);
    const o = waitOn(sweeper, pgid, 300);
    await waitFor(() => o.done, { message: 'group empty after SIGKILL' });
    expect(groupMembers(pgid)).toEqual([]);
    expect(o.leftBehind.join('\n')).toMatch(/sleep/);
  });

  test('hundreds of groups stopping together all end, with one sweeper', async () => {
    const n = 300;
    const pgids: number[] = [];
    // Started in batches so the machine's process table is not the thing under test.
    for (let i = 0; i < n; i += 50) pgids.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => leaderGone((i + k) % 3 === 0 ? "trap '' TERM; sleep 60 & exit 0" : 'sleep 60 & exit 0')))));
    const sweeper = new GroupSweeper(systemClock);
    const outcomes = pgids.map((pgid) => waitOn(sweeper, pgid, 500));
    await waitFor(() => outcomes.every((o) => o.done), { message: `all ${n} groups empty`, timeout: 60_000 });
    expect(sweeper.size).toBe(0);
    expect(pgids.filter((p) => groupMembers(p).length > 0)).toEqual([]);
  }, 120_000);
});
