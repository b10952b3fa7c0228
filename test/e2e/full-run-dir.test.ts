// A full run dir: the instance journal cannot be written. Nothing may then run that a crash of
// the emperor would orphan, the failure is said (log, status, GET /emperor) and retried, and
// after a SIGKILL and a restart there is exactly one instance per vassal and no orphan.
// Needs root (it mounts a 64 KiB tmpfs as the run dir); under CI it fails rather than skips.
import { afterEach, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../../src/runtime/process-group.js';
import { Emperor } from '../helpers/emperor.js';
import { waitFor } from '../helpers/wait-for.js';

const root = process.getuid?.() === 0;
if (!root && process.env.CI) throw new Error('full-run-dir tests need root under CI (they mount a tmpfs)');
const maybe = root ? describe : describe.skip;

let em: Emperor | null = null;
let mounted: string | null = null;
afterEach(async () => {
  const e = em;
  em = null;
  if (e && e.exitCode === null) await e.stop();
  if (mounted) execFileSync('umount', [mounted]);
  mounted = null;
  if (e) expect(await e.cleanup()).toEqual([]);
});

// sleep, not node: dozens of instances must not cost a gigabyte. MARK tells whose instance a process is.
const vassal = (name: string): string => `emperor:\n  command: [sleep, "100000"]\n  env: { MARK: v-${name} }\n`;

// Live processes of this vassal, whoever started them.
function instancesOf(name: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').includes(`\0MARK=v-${name}\0`)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found.filter(isAlive);
}

// Fills the file system with one file until ENOSPC; returns its path.
function fill(dir: string): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'a');
  const chunk = Buffer.alloc(512);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return file;
}

maybe('a full run dir', () => {
  // A long scenario (two fills, 80 spawns, a restart): its budget is its own, not jest's 30 s default.
  test('journal failures wait and retry, and a SIGKILL then restart leaves one instance per vassal and no orphan', async () => {
    const e = (em = new Emperor());
    mkdirSync(e.runDir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', e.runDir]);
    mounted = e.runDir;
    await e.start();
    const early = ['a0', 'a1', 'a2', 'a3', 'a4'];
    for (const n of early) e.write(`${n}.yml`, vassal(n));
    for (const n of early) await e.waitRunning(n);

    const filler = fill(e.runDir);
    // tmpfs hands out whole pages: the journal's last page still takes some records, then none.
    const late = Array.from({ length: 40 }, (_, i) => `b${i}`);
    for (const n of late) e.write(`${n}.yml`, vassal(n));
    const states = await Promise.all(late.map((n) => e.waitStatus(n, (v) => v.state === 'running' || /run dir not writable/.test(v.note), 'running or waiting')));
    const waiting = states.filter((s) => s.state !== 'running');
    expect(waiting.length).toBeGreaterThan(0);
    for (const s of waiting) {
      expect(s.error).toMatch(/waiting: run dir not writable/);
      expect(instancesOf(s.name)).toEqual([]);
    }
    expect((await e.api<{ problems: string[] }>('/emperor')).body.problems.join()).toMatch(/run dir not writable/);
    expect(e.logs.filter((l) => l.level === 50 && String(l.msg).includes(e.runDir)).length).toBeGreaterThanOrEqual(1);

    rmSync(filler);
    for (const n of [...early, ...late]) await e.waitRunning(n);
    expect((await e.api<{ problems: string[] }>('/emperor')).body.problems).toEqual([]);

    fill(e.runDir);
    const last = Array.from({ length: 40 }, (_, i) => `c${i}`);
    for (const n of last) e.write(`${n}.yml`, vassal(n));
    await Promise.all(last.map((n) => e.waitStatus(n, (v) => v.state === 'running' || /run dir not writable/.test(v.note), 'running or waiting')));
    const before = new Set(e.spawned);
    await e.kill9();
    rmSync(join(e.runDir, 'filler'));
    await e.start();
    const all = [...early, ...late, ...last];
    for (const n of all) await e.waitRunning(n);
    for (const n of all) expect(instancesOf(n)).toHaveLength(1);
    for (const pid of before) expect(isAlive(pid)).toBe(false);
    expect(e.logs.some((l) => String(l.msg).includes('please report it'))).toBe(false);
  }, 180_000);
});
