// `emperor logs` against a real emperor: read back from the logto file across an emperor
// restart, --since, --all -f with name prefixes, -f ending (exit 3) or resuming (--retry) when
// the emperor goes away; log levels that mean something and no duplicate keys in a JSON line.
import { afterEach, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { OutputLine } from '../../src/core/status.js';
import { BIN, emperorPool, FOREVER, nodeVassal, type Emperor } from '../helpers/emperor.js';
import { request } from '../helpers/http.js';
import { waitFor } from '../helpers/wait-for.js';
import { runCli } from '../cli/helpers/run-cli.js';

const pool = emperorPool();
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  expect(await pool.cleanupAll()).toEqual([]);
});

const TICKER = "let i = 0; setInterval(() => console.log('tick ' + i++), 20);";

// GET …/logs over the control socket (NDJSON), without the cost of a CLI process.
async function apiLines(em: Emperor, path: string): Promise<OutputLine[]> {
  const r = await request({ socketPath: em.control, path });
  return r.body.trim() === '' ? [] : r.body.trim().split('\n').map((l) => JSON.parse(l) as OutputLine);
}

// `emperor ARGS` running in the background, its output collected.
function follow(args: readonly string[]): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

describe('emperor logs', () => {
  test('reads a logto file back after the emperor restarts: time, generation, stream and the lifecycle lines in order', async () => {
    const em = await pool.fresh().start();
    const log = join(em.dir, 'logs', 'a.log');
    em.write('a.yml', nodeVassal("console.log('hello from the first run'); console.error('on stderr'); setInterval(() => {}, 1000);", `  logto: ${log}\n`));
    await em.waitRunning('a');
    await waitFor(async () => (await apiLines(em, '/vassals/a/logs')).some((l) => l.line === 'on stderr'), { message: 'lines readable' });
    await em.stop();
    await em.start();
    await em.waitRunning('a');
    const r = await runCli(['logs', 'a', '-n', '100', '--run-dir', em.runDir]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    const spawned = at(/^\S+Z #1 emperor: spawned generation 1 \(pid \d+\)$/);
    const hello = at(/^\S+Z #1 stdout: hello from the first run$/);
    const stderr = at(/^\S+Z #1 stderr: on stderr$/);
    const exited = at(/^\S+Z #1 emperor: generation 1 exited with signal SIGTERM$/);
    const loadedAgain = lines.findIndex((l, i) => i > exited && / - emperor: vassal file .* loaded$/.test(l));
    expect([spawned, hello, stderr, exited, loadedAgain].every((i) => i >= 0)).toBe(true);
    expect(spawned < hello && hello < exited && exited < loadedAgain).toBe(true);

    // --since (the API's since=epoch ms): only what came after.
    const marker = Date.now();
    em.write('a.yml', nodeVassal("console.log('second file'); setInterval(() => {}, 1000);", `  logto: ${log}\n`));
    await waitFor(async () => (await apiLines(em, '/vassals/a/logs')).some((l) => l.line === 'second file'), { message: 'the new instance line' });
    const recent = await apiLines(em, `/vassals/a/logs?since=${marker}&n=1000`);
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.every((l) => (l.at ?? 0) >= marker)).toBe(true);
    const since = await runCli(['logs', 'a', '--json', '--since', new Date(marker).toISOString(), '--run-dir', em.runDir]);
    const records = since.stdout.trim().split('\n').map((l) => JSON.parse(l) as OutputLine);
    expect(records.every((l) => (l.at ?? 0) >= marker)).toBe(true);
    expect(records.some((l) => l.line === 'second file')).toBe(true);
    expect(records.some((l) => l.line === 'hello from the first run')).toBe(false);
  }, 60_000);

  test('--all -f prefixes each line with its vassal; when the emperor stops, -f says so and exits 3', async () => {
    const em = await pool.fresh().start();
    em.write('a.yml', nodeVassal(TICKER));
    em.write('b.yml', nodeVassal(TICKER, `  logto: ${join(em.dir, 'logs', 'b.log')}\n`));
    await em.waitRunning('a');
    await em.waitRunning('b');
    const f = follow(['logs', '--all', '-f', '-n', '2', '--run-dir', em.runDir]);
    await waitFor(() => /^a \| \S+Z #1 stdout: tick \d+$/m.test(f.out()) && /^b \| \S+Z #1 stdout: tick \d+$/m.test(f.out()), { message: 'lines of both vassals' });
    await em.stop();
    expect(await f.exit).toBe(3);
    expect(f.err()).toMatch(/the emperor went away .*--retry/);
    // The emperor's last lines about the vassals came through before it went.
    expect(f.out()).toMatch(/^a \| \S+Z #1 emperor: generation 1 exited with signal SIGTERM$/m);
  });

  test('-f --retry waits for the emperor to come back and follows again', async () => {
    const em = await pool.fresh().start();
    em.write('a.yml', nodeVassal(TICKER, `  logto: ${join(em.dir, 'logs', 'a.log')}\n`));
    await em.waitRunning('a');
    const f = follow(['logs', 'a', '-f', '--retry', '-n', '1', '--run-dir', em.runDir]);
    await waitFor(() => f.out().includes('stdout: tick'), { message: 'first lines' });
    await em.stop();
    await waitFor(() => f.err().includes('waiting for it to come back'), { message: 'the wait message' });
    const before = f.out().length;
    await em.start();
    await waitFor(() => f.err().includes('the emperor is back') && /#1 stdout: tick \d+/.test(f.out().slice(before)), { message: 'lines of the new emperor', timeout: 20_000 });
    // Nothing printed twice across the gap.
    const printed = f.out().trim().split('\n');
    expect(new Set(printed).size).toBe(printed.length);
    f.child.kill('SIGTERM');
    expect(await f.exit).toBe(0);
  });

  test('levels mean something, and no JSON line of the emperor carries a key twice', async () => {
    const em = await pool.fresh().start();
    em.write('crash.yml', nodeVassal("setTimeout(() => process.exit(3), 300);"));
    em.write('bad.yml', 'emperor:\n  command: 12\n');
    em.write('hang.yml', nodeVassal(FOREVER, '  ready: notify\n  ready-timeout: 300ms\n'));
    em.write('ok.yml', nodeVassal(FOREVER));
    await em.waitRunning('ok');
    await waitFor(() => em.events('crash', 'exited').length > 0 && em.events('hang', 'killing').length > 0 && em.events('bad', 'broken').length > 0, { message: 'an exit, a kill and a broken file' });
    expect(em.events('crash', 'exited')[0]).toMatchObject({ level: 40, expected: false, code: 3, instancePid: expect.any(Number) });
    expect(em.events('bad', 'broken')[0]).toMatchObject({ level: 50 });
    expect(em.events('hang', 'killing')[0]).toMatchObject({ level: 40 });
    await waitFor(() => em.logs.some((l) => l.vassal === 'crash' && l.event === 'state' && l.state === 'throttled'), { message: 'a throttle', timeout: 20_000 });
    expect(em.logs.find((l) => l.vassal === 'crash' && l.event === 'state' && l.state === 'throttled')).toMatchObject({ level: 40 });
    expect(em.events('ok', 'spawned')[0]).toMatchObject({ level: 30, instancePid: expect.any(Number) });
    await em.stop();
    expect(em.events('ok', 'exited').at(-1)).toMatchObject({ level: 30, expected: true });
    for (const line of em.stderrText) {
      if (!line.startsWith('{')) continue;
      const keys = [...line.matchAll(/[{,]"([^"]+)":/g)].map((m) => m[1]);
      // Only the top-level keys of flat lines can be compared this way; err objects nest.
      if (line.includes('"err":')) continue;
      expect(keys.length).toBe(new Set(keys).size);
    }
  });
});
