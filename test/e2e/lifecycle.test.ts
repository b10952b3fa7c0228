// One supervised instance per vassal file: drop, edit, touch, rename, remove, crash, throttle.
import { afterEach, describe, expect, test } from '@jest/globals';
import { readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupMembers, isAlive, readProcStat } from '../../src/runtime/process-group.js';
import { Emperor, FOREVER, nodeVassal } from '../helpers/emperor.js';
import { touch } from '../helpers/touch.js';
import { holdsFor, waitFor } from '../helpers/wait-for.js';

let em: Emperor;
afterEach(async () => {
  const leaked = await em.cleanup();
  expect(leaked).toEqual([]);
});

describe('the emperor keeps one instance per vassal file', () => {
  test('a dropped file is spawned in its own process group', async () => {
    em = await new Emperor().start();
    em.write('app.yml', nodeVassal(FOREVER));
    const s = await em.waitRunning('app');
    expect(s.generation).toBe(1);
    expect(isAlive(s.pid!)).toBe(true);
    expect(readProcStat(s.pid!)?.pgrp).toBe(s.pid);
  });

  test('editing the file reloads it into a new generation', async () => {
    em = await new Emperor().start();
    em.write('app.yml', nodeVassal(FOREVER));
    const first = await em.waitRunning('app');
    em.write('app.yml', nodeVassal(FOREVER + ' // edited'));
    const second = await em.waitStatus('app', (s) => s.state === 'running' && s.generation === 2, 'generation 2 running');
    expect(second.pid).not.toBe(first.pid);
    await waitFor(() => !isAlive(first.pid!), { message: 'old instance gone' });
  });

  test('touching the file reloads it', async () => {
    em = await new Emperor().start();
    const file = em.write('app.yml', nodeVassal(FOREVER));
    await em.waitRunning('app');
    touch(file);
    await em.waitStatus('app', (s) => s.state === 'running' && s.generation === 2, 'generation 2 after touch');
  });

  test('an atomic save (temp file renamed over the vassal) is one reload', async () => {
    em = await new Emperor().start();
    em.write('app.yml', nodeVassal(FOREVER));
    await em.waitRunning('app');
    const tmp = join(em.vassals, '.app.yml.tmp');
    writeFileSync(tmp, nodeVassal(FOREVER + ' // v2'));
    renameSync(tmp, join(em.vassals, 'app.yml'));
    await em.waitStatus('app', (s) => s.state === 'running' && s.generation === 2, 'generation 2 after rename');
    // The window is the point: a stray second event would spawn generation 3 within it.
    await holdsFor(() => em.events('app', 'spawned').length === 2, { ms: 500, message: 'no third spawn after one atomic save' });
    const s = await em.status('app');
    expect(s?.generation).toBe(2);
    expect(em.events('app', 'removed')).toHaveLength(0);
  });

  test('removing the file stops the instance and forgets the vassal', async () => {
    em = await new Emperor().start();
    const file = em.write('app.yml', nodeVassal(FOREVER));
    const s = await em.waitRunning('app');
    rmSync(file);
    await waitFor(async () => (await em.status('app')) === undefined, { message: 'vassal forgotten' });
    expect(isAlive(s.pid!)).toBe(false);
  });

  test('an instance killed with SIGKILL is respawned', async () => {
    em = await new Emperor().start();
    em.write('app.yml', nodeVassal(FOREVER));
    const s = await em.waitRunning('app');
    process.kill(s.pid!, 'SIGKILL');
    const again = await em.waitStatus('app', (x) => x.state === 'running' && x.generation === 2, 'respawned');
    expect(again.restarts).toBe(1);
    expect(again.lastExit).toMatchObject({ generation: 1, signal: 'SIGKILL', expected: false });
  });

  test('a crash-looping vassal is throttled with a doubling delay and its next attempt time', async () => {
    em = await new Emperor().start();
    em.write('crash.yml', nodeVassal("console.error('boom'); process.exit(3)"));
    const s = await em.waitStatus('crash', (x) => x.state === 'throttled' && x.throttleDelayMs >= 400, 'throttled with a doubled delay');
    expect(s.nextStartAt).toBeGreaterThan(Date.now() - 1000);
    expect(s.lastExit?.code).toBe(3);
    expect(s.note).toMatch(/next attempt/);
    const delays = em.events('crash', 'exited').length;
    expect(delays).toBeGreaterThanOrEqual(2);
  });

  test('stopping signals the whole group and SIGKILLs it after stop-timeout', async () => {
    em = await new Emperor().start();
    const code = "process.on('SIGTERM', () => {}); require('child_process').spawn(process.execPath, ['-e', \"process.on('SIGTERM',()=>{}); setInterval(()=>{},1000)\"], {stdio:'ignore'}); console.log('up'); setInterval(() => {}, 1000);";
    const file = em.write('stubborn.yml', nodeVassal(code, '  stop-timeout: 500ms\n'));
    const s = await em.waitRunning('stubborn');
    await waitFor(() => (groupMembers(s.pid!).length >= 2 ? true : undefined), { message: 'grandchild started' });
    const members = groupMembers(s.pid!);
    rmSync(file);
    await waitFor(async () => (await em.status('stubborn')) === undefined, { message: 'stubborn vassal gone', timeout: 10_000 });
    for (const pid of members) expect(isAlive(pid)).toBe(false);
    expect(em.events('stubborn', 'killing').length).toBeGreaterThanOrEqual(1);
  });

  test('a symlinked vassal runs, and touching its target reloads it', async () => {
    em = await new Emperor().start();
    const target = join(em.dir, 'real-app.yml');
    writeFileSync(target, nodeVassal(FOREVER));
    symlinkSync(target, join(em.vassals, 'linked.yml'));
    await em.waitRunning('linked');
    touch(target);
    await em.waitStatus('linked', (s) => s.state === 'running' && s.generation === 2, 'reloaded after touching the target');
  });

  test('two files with the same name: the second is broken and names both', async () => {
    em = await new Emperor().start();
    em.write('web.yml', nodeVassal(FOREVER));
    await em.waitRunning('web');
    em.write('web.ini', '[emperor]\ncommand = sleep 1000\n');
    const dup = await em.waitStatus('web.ini', (s) => s.state === 'broken', 'duplicate broken');
    expect(dup.error).toContain('web.yml');
    expect(dup.error).toContain('web.ini');
    expect((await em.status('web'))?.generation).toBe(1);
  });

  test('editor leftovers, dotfiles and subdirectories are ignored', async () => {
    em = await new Emperor().start();
    for (const f of ['.hidden.yml', 'app.yml~', 'app.yml.swp', '#app.yml#', 'app.tmp', 'notes.txt']) em.write(f, nodeVassal(FOREVER));
    em.write('real.yml', nodeVassal(FOREVER));
    await em.waitRunning('real');
    const all = await em.api<{ vassals: { name: string }[] }>('/vassals');
    expect(all.body.vassals.map((v) => v.name)).toEqual(['real']);
  });

  test('200 files dropped at once all start, each exactly once', async () => {
    em = await new Emperor().start();
    for (let i = 0; i < 200; i++) em.write(`v${i}.yml`, nodeVassal("setInterval(() => {}, 1000)", '  ready: spawn\n'));
    await waitFor(async () => {
      const r = await em.api<{ vassals: { state: string }[] }>('/vassals');
      return r.body.vassals.length === 200 && r.body.vassals.every((v) => v.state === 'running');
    }, { message: '200 vassals running', timeout: 60_000, interval: 200 });
    const spawns = em.logs.filter((l) => l.event === 'spawned');
    expect(spawns).toHaveLength(200);
    expect(new Set(spawns.map((l) => l.vassal)).size).toBe(200);
  }, 90_000);
});

describe('changes in quick succession', () => {
  test('the last of several quick edits is the one that runs (none lost to the watcher)', async () => {
    em = await new Emperor().start();
    em.write('app.yml', nodeVassal(FOREVER, '  env: { MARK: "v0" }\n'));
    await em.waitRunning('app');
    for (let i = 1; i <= 5; i++) {
      em.write('app.yml', nodeVassal(FOREVER, `  env: { MARK: "v${i}" }\n`));
      // Not a wait for anything: the edits' spacing is the test's input, well inside chokidar's 50 ms change throttle.
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor(async () => {
      const s = await em.status('app');
      if (s?.state !== 'running' || s.instances.length !== 1 || s.pid === null) return false;
      const mark = readFileSync(`/proc/${s.pid}/environ`, 'utf8').split('\0').find((v) => v.startsWith('MARK='));
      if (mark !== 'MARK=v5') throw new Error(`the running instance has ${mark ?? 'no MARK'}`); // reported on timeout
      return true;
    }, { message: "the one running instance has the last edit's MARK=v5", timeout: 15_000 });
  });
});

describe('the emperor itself is stopped', () => {
  // The README runs `emperor` in a terminal: Ctrl-C (SIGINT) and a SIGTERM from a service
  // manager must both leave nothing behind, including the instances' own children.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal} stops every vassal (and its children), then the emperor exits 0`, async () => {
      em = await new Emperor().start();
      em.write('a.yml', nodeVassal(`require('child_process').spawn('sleep', ['1000'], { stdio: 'ignore' }); ${FOREVER}`));
      em.write('b.yml', nodeVassal(FOREVER));
      const a = await em.waitRunning('a');
      const b = await em.waitRunning('b');
      await waitFor(() => groupMembers(a.pid!).length >= 2, { message: 'a and its child' });
      em.proc.kill(signal);
      expect(await em.exited).toBe(0);
      expect(groupMembers(a.pid!)).toEqual([]);
      expect(isAlive(a.pid!) || isAlive(b.pid!)).toBe(false);
    });
  }
});
