// Processes that leave their instance's process group (setsid, setpgid) are stopped with it:
// each instance runs in its own cgroup, and the journal records it for the next emperor.
// Needs root and a writable cgroup v2 hierarchy; under CI it fails rather than skips.
import { afterEach, describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isAlive } from '../../src/runtime/process-group.js';
import { emperorPool } from '../helpers/emperor.js';
import { waitFor } from '../helpers/wait-for.js';

const root = process.getuid?.() === 0;
if (!root && process.env.CI) throw new Error('containment tests need root under CI (cgroups)');
const maybe = root ? describe : describe.skip;

const pool = emperorPool();
const escapees: number[] = [];
afterEach(async () => {
  const leaked = await pool.cleanupAll();
  for (const pid of escapees.splice(0)) {
    if (isAlive(pid)) {
      leaked.push(pid);
      process.kill(pid, 'SIGKILL');
    }
  }
  expect(leaked).toEqual([]);
});

// Two escapees that ignore SIGTERM: one in a new session, one in a new process group.
const ESCAPE = (how: string): string => `/usr/bin/python3 -c "import os,signal,time; os.${how}; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(100000)"`;
const vassal = (): string =>
  `emperor:\n  command: ${JSON.stringify(`${ESCAPE('setsid()')} & ${ESCAPE('setpgid(0, 0)')} & sleep 100000`)}\n  stop-timeout: 500ms\n`;

// Live processes started for this vassal (they inherit EMPEROR_VASSAL), wherever their group is.
function processesOf(name: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').includes(`\0EMPEROR_VASSAL=${name}\0`) && isAlive(Number(entry))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function pgrpOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[2]);
}

async function startWithEscapees(): Promise<{ em: ReturnType<typeof pool.fresh>; leader: number; escaped: number[] }> {
  const em = await pool.fresh().start();
  expect(em.logs.some((l) => String(l.msg).includes('containment: each instance runs in its own cgroup'))).toBe(true);
  em.write('esc.yml', vassal());
  const { pid } = await em.waitRunning('esc');
  const escaped = await waitFor(() => {
    const out = processesOf('esc').filter((p) => pgrpOf(p) !== pid);
    return out.length >= 2 ? out : undefined;
  }, { message: 'two processes escaped the group' });
  escapees.push(...escaped);
  return { em, leader: pid!, escaped };
}

maybe('instances are contained by their cgroup', () => {
  test('removing the vassal stops processes that called setsid() or setpgid(), and names them in a warning', async () => {
    const { em, leader, escaped } = await startWithEscapees();
    rmSync(`${em.vassals}/esc.yml`);
    await waitFor(async () => (await em.status('esc')) === undefined, { message: 'esc gone' });
    expect(isAlive(leader)).toBe(false);
    for (const pid of escaped) expect(isAlive(pid)).toBe(false);
    const warning = em.logs.find((l) => String(l.msg).includes('outlived its main process'));
    expect(warning?.level).toBe(40);
    for (const pid of escaped) expect(String(warning?.msg)).toContain(String(pid));
  });

  test('after a SIGKILL of the emperor, the next one kills the escapees through the journaled cgroup', async () => {
    const { em, escaped } = await startWithEscapees();
    const cgroupDir = `/sys/fs/cgroup/unified/emperor-${em.proc.pid}`;
    await em.kill9();
    for (const pid of escaped) expect(isAlive(pid)).toBe(true);
    await em.start();
    await em.waitRunning('esc');
    await waitFor(() => escaped.every((p) => !isAlive(p)), { message: 'escapees of the dead emperor stopped' });
    expect(existsSync(cgroupDir)).toBe(false);
    // The new instance's own escapees are stopped at cleanup like any instance's.
    await waitFor(() => processesOf('esc').length >= 4, { message: 'the new instance is up' });
    escapees.push(...processesOf('esc'));
  }, 90_000); // the leftovers ignore SIGTERM: the next emperor waits out its 10 s grace before cgroup.kill
});
