// Bad vassal files: a clear error naming the file and the problem, and nothing else disturbed.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../helpers/wait-for.js';
import { Emperor, FOREVER, nodeVassal } from '../helpers/emperor.js';

let em: Emperor;
let steadyPid: number;

beforeEach(async () => {
  em = await new Emperor().start();
  em.write('steady.yml', nodeVassal(FOREVER));
  steadyPid = (await em.waitRunning('steady')).pid!;
});

afterEach(async () => {
  // whatever the bad file did, the other vassal kept running the same instance
  const steady = await em.status('steady');
  expect(steady?.state).toBe('running');
  expect(steady?.pid).toBe(steadyPid);
  expect(em.exitCode).toBeNull();
  const leaked = await em.cleanup();
  expect(leaked).toEqual([]);
});

const cases: [string, string, string | Buffer, RegExp][] = [
  ['malformed YAML', 'bad.yml', 'emperor:\n  command: [node\n  cwd: x\n', /bad\.yml/],
  ['malformed INI', 'bad.ini', '[emperor\ncommand = sleep 1\n', /bad\.ini/],
  ['an empty file', 'bad.yml', '', /empty/],
  ['binary garbage', 'bad.yml', Buffer.from([0, 1, 2, 255, 254, 0, 10]), /text/],
  ['a file over 1 MiB', 'bad.yml', 'emperor:\n  command: [sleep, "1"]\n#' + 'x'.repeat(1024 * 1024 + 10) + '\n', /1 MiB/],
  ['a missing command', 'bad.yml', 'emperor:\n  cwd: /tmp\n', /emperor\.command/],
  ['a wrong type', 'bad.yml', 'emperor:\n  command: [sleep, "100"]\n  stop-timeout: [1, 2]\n', /emperor\.stop-timeout/],
  ['a cwd that does not exist', 'bad.yml', 'emperor:\n  command: [sleep, "100"]\n  cwd: /nonexistent/dir\n', /emperor\.cwd/],
  ['a command that is not found', 'bad.yml', 'emperor:\n  command: [no-such-command-xyz]\n', /not found/],
  ['a typo in a key', 'bad.yml', 'emperor:\n  command: [sleep, "100"]\n  stop-timout: 5s\n', /emperor\.stop-timout: unknown key; did you mean stop-timeout\?/],
  ['a command at the top level', 'bad.yml', 'command: [sleep, "100"]\n', /command: belongs in the emperor section/],
];

describe('bad vassal files', () => {
  test.each(cases)('%s marks the vassal broken with a message naming the file and the problem', async (_what, file, content, pattern) => {
    // Put in place whole (written aside, then renamed), as a deploy does: a 1 MiB write seen
    // half-way could be a valid file and start an instance before the rest arrives.
    const aside = join(em.vassals, `.${file}.part`);
    writeFileSync(aside, content);
    renameSync(aside, join(em.vassals, file));
    const name = file.replace(/\.(yml|ini)$/, '');
    const s = await em.waitStatus(name, (x) => x.state === 'broken', 'broken');
    expect(s.error).toMatch(pattern);
    expect(s.error).toContain(file);
    expect(s.pid).toBeNull();
    // The log line comes through the emperor's stderr, which may be read after the API answered.
    await waitFor(() => em.logs.some((l) => l.vassal === name && l.event === 'broken'), { message: 'the broken event in the log' });
  });

  test('a file created empty and written a moment later is never shown broken', async () => {
    const path = join(em.vassals, 'late.yml');
    writeFileSync(path, '');
    await new Promise((r) => setTimeout(r, 30));
    writeFileSync(path, nodeVassal(FOREVER));
    await em.waitRunning('late');
    expect(em.events('late', 'broken')).toEqual([]);
  });

  test('a warning names the key and the file; the vassal still runs', async () => {
    em.write('warn.yml', nodeVassal(FOREVER, '  heartbeat-timeout: 5s\n'));
    const s = await em.waitRunning('warn');
    expect(s.warnings.join(' ')).toMatch(/warn\.yml.*emperor\.heartbeat-timeout/);
    expect(em.logs.some((l) => l.level === 40 && String(l.msg).includes('emperor.heartbeat-timeout'))).toBe(true);
  });

  test('fixing a broken file starts the vassal', async () => {
    em.write('later.yml', 'emperor:\n  command: [node\n');
    await em.waitStatus('later', (x) => x.state === 'broken', 'broken');
    em.write('later.yml', nodeVassal(FOREVER));
    await em.waitRunning('later');
  });

  test('a subdirectory named like a vassal is ignored', async () => {
    mkdirSync(join(em.vassals, 'dir.yml'));
    em.write('after.yml', nodeVassal(FOREVER));
    await em.waitRunning('after');
    expect(await em.status('dir')).toBeUndefined();
  });
});
