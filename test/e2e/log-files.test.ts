// A vassal's logto file with a real emperor: rotation by size, reopen after a move (SIGUSR1,
// `emperor reopen-logs`, the real logrotate binary with create and with copytruncate), a new
// logto path without a restart, an unwritable path, long lines.
import { afterEach, describe, expect, test } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, REPO, emperorPool, nodeVassal } from '../helpers/emperor.js';
import { waitFor } from '../helpers/wait-for.js';
import { parsePrometheus, sampleValue } from '../control/helpers/prometheus.js';
import { runCli } from '../cli/helpers/run-cli.js';

const pool = emperorPool();
afterEach(async () => {
  expect(await pool.cleanupAll()).toEqual([]);
});

// Writes `seq 0 …` to `seq TOTAL-1 …` (about 100 bytes each) as fast as the pipe takes them, then idles.
const FLOOD = `const total = Number(process.env.TOTAL); const pad = 'x'.repeat(80); let i = 0;
function go() { while (i < total) { if (!process.stdout.write('seq ' + i++ + ' ' + pad + '\\n')) { process.stdout.once('drain', go); return; } } console.log('done'); }
go(); setInterval(() => {}, 1000);`;

// One numbered line every few milliseconds, for ever.
const TICKER = "let i = 0; setInterval(() => console.log('seq ' + i++), 5);";

// The sequence numbers in these files, in file order.
function seqs(...files: string[]): number[] {
  const out: number[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    for (const m of readFileSync(f, 'utf8').matchAll(/ stdout: seq (\d+)/g)) out.push(Number(m[1]));
  }
  return out;
}

// True when `list` is first, first+1, … with nothing missing or repeated.
function consecutive(list: readonly number[]): boolean {
  return list.every((n, i) => i === 0 || n === list[i - 1]! + 1);
}

describe('logto files', () => {
  test('rotate by size at line boundaries: no line lost or repeated, no file over the limit, the oldest dropped', async () => {
    const em = await pool.fresh().start();
    const log = join(em.dir, 'logs', 'flood.log');
    const total = 60_000; // about 6 MB through 200 KB files
    em.write('flood.yml', nodeVassal(FLOOD, `  env: { TOTAL: "${total}" }\n  logto: ${log}\n  log-max-size: 200KB\n  log-backups: 100\n`));
    await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('stdout: done'), { message: 'the last line in the file', timeout: 60_000 });
    const files = Array.from({ length: 100 }, (_, i) => `${log}.${100 - i}`).filter(existsSync);
    expect(files.length).toBeGreaterThan(20);
    for (const f of [...files, log]) expect(statSync(f).size).toBeLessThanOrEqual(200 * 1024);
    const all = seqs(...files, log);
    expect(all.length).toBe(total);
    expect(all[0]).toBe(0);
    expect(consecutive(all)).toBe(true);
    // The lifecycle lines sit between them: the first file starts with the vassal's load and spawn.
    expect(readFileSync(files[0]!, 'utf8')).toMatch(/^\S+Z - emperor: vassal file .* loaded\n\S+Z #1 emperor: spawning instance generation 1\n/);
    expect((await em.status('flood'))?.pid).not.toBeNull();

    // With 2 backups, only two rotated files are kept.
    const small = join(em.dir, 'logs', 'small.log');
    em.write('small.yml', nodeVassal(FLOOD, `  env: { TOTAL: "5000" }\n  logto: ${small}\n  log-max-size: 100KB\n  log-backups: 2\n`));
    await waitFor(() => existsSync(small) && readFileSync(small, 'utf8').includes('stdout: done'), { message: 'the last line of small', timeout: 30_000 });
    expect(existsSync(`${small}.2`)).toBe(true);
    expect(existsSync(`${small}.3`)).toBe(false);
    const kept = seqs(`${small}.2`, `${small}.1`, small);
    expect(kept.at(-1)).toBe(4999);
    expect(consecutive(kept)).toBe(true);
  }, 120_000);

  test('SIGUSR1 and `emperor reopen-logs` reopen a moved file: new lines go to the path, none lost', async () => {
    const em = await pool.fresh().start();
    const log = join(em.dir, 'logs', 'tick.log');
    em.write('tick.yml', nodeVassal(TICKER, `  logto: ${log}\n`));
    await waitFor(() => seqs(log).length > 20, { message: 'ticks in the file' });
    renameSync(log, `${log}.1`);
    em.proc.kill('SIGUSR1');
    await waitFor(() => seqs(log).length > 20, { message: 'ticks in the reopened file' });
    renameSync(log, `${log}.2`);
    const r = await runCli(['reopen-logs', '--run-dir', em.runDir]);
    expect(r).toMatchObject({ code: 0, stdout: 'reopened 1 vassal log file(s)\n' });
    await waitFor(() => seqs(log).length > 20, { message: 'ticks in the file reopened by the CLI' });
    const all = seqs(`${log}.1`, `${log}.2`, log);
    expect(all[0]).toBe(0);
    expect(consecutive(all)).toBe(true);
    expect((await em.status('tick'))?.restarts).toBe(0);
  });

  test.each(['create', 'copytruncate'] as const)('the real logrotate rotates a vassal file (%s), with contrib/logrotate/emperor', async (mode) => {
    const em = await pool.fresh().start();
    const log = join(em.dir, 'logs', 'tick.log');
    em.write('tick.yml', nodeVassal(TICKER, `  logto: ${log}\n`));
    await waitFor(() => seqs(log).length > 20, { message: 'ticks in the file' });
    // The shipped snippet, pointed at this test's files and emperor.
    const snippet = readFileSync(join(REPO, 'contrib', 'logrotate', 'emperor'), 'utf8')
      .replace('/var/log/emperor/*.log', join(em.dir, 'logs', '*.log'))
      .replace(/^\s*(compress|delaycompress)\n/gm, '')
      .replace(/^(\s*)emperor reopen-logs/m, `$1${process.execPath} ${BIN} reopen-logs --run-dir ${em.runDir}`)
      .replace(/^(\s*)create .*$/m, mode === 'copytruncate' ? '$1copytruncate' : '$1create 0644 root root');
    const conf = join(em.dir, 'logrotate.conf');
    writeFileSync(conf, snippet);
    execFileSync('logrotate', ['-f', '-s', join(em.dir, 'logrotate.state'), conf], { stdio: 'pipe' });
    expect(existsSync(`${log}.1`)).toBe(true);
    const rotated = seqs(`${log}.1`);
    await waitFor(() => seqs(log).length > 20, { message: 'ticks in the new file after logrotate' });
    const fresh = seqs(log);
    // No zeros before the new lines (a writer without O_APPEND would leave a sparse hole after copytruncate).
    expect(readFileSync(log).includes(0)).toBe(false);
    expect(consecutive(fresh)).toBe(true);
    if (mode === 'create') {
      // create + reopen loses nothing: the new file starts where the rotated one ended.
      expect(consecutive([...rotated, ...fresh])).toBe(true);
    } else {
      // copytruncate may lose the lines written between logrotate's copy and its truncate (its
      // documented window); nothing comes twice and nothing goes backwards.
      expect(fresh[0]!).toBeGreaterThan(rotated.at(-1)!);
    }
    expect((await em.status('tick'))?.restarts).toBe(0);
  });

  test('a new logto path takes effect when the file is loaded, without restarting the instance', async () => {
    const em = await pool.fresh().start();
    const first = join(em.dir, 'logs', 'first.log');
    const second = join(em.dir, 'logs', 'second.log');
    em.write('tick.yml', nodeVassal(TICKER, `  logto: ${first}\n`));
    const before = await em.waitRunning('tick');
    await waitFor(() => seqs(first).length > 10, { message: 'ticks in the first file' });
    em.write('tick.yml', nodeVassal(TICKER, `  logto: ${second}\n  log-format: json\n`));
    await waitFor(() => existsSync(second) && readFileSync(second, 'utf8').split('\n').length > 10, { message: 'lines in the second file' });
    expect(em.events('tick', 'changed').some((l) => String(l.msg).includes('applied without a restart'))).toBe(true);
    const after = await em.status('tick');
    expect(after).toMatchObject({ pid: before.pid, generation: before.generation });
    const json = readFileSync(second, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { time: string; generation: number; stream: string; line: string });
    const ticks = json.filter((l) => l.stream === 'stdout').map((l) => Number(l.line.split(' ')[1]));
    expect(consecutive([...seqs(first), ...ticks])).toBe(true);
    expect(json[0]).toMatchObject({ stream: 'emperor', line: expect.stringContaining('applied without a restart') });
    expect(json.find((l) => l.stream === 'stdout')).toMatchObject({ generation: 1, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
  });

  test('an unwritable logto is reported once with its path and errno, counted as dropped, and the instance keeps running', async () => {
    const em = await pool.fresh().start();
    const blocker = join(em.dir, 'not-a-dir');
    writeFileSync(blocker, '');
    const log = join(blocker, 'a.log');
    em.write('a.yml', nodeVassal(TICKER, `  logto: ${log}\n`));
    await em.waitRunning('a');
    const dropped = async (): Promise<number> => sampleValue(parsePrometheus((await runCli(['metrics', '--run-dir', em.runDir])).stdout), 'emperor_log_lines_dropped_total', { vassal: 'a' }) ?? 0;
    await waitFor(async () => (await dropped()) > 50, { message: 'dropped lines counted', timeout: 20_000 });
    const warnings = em.logs.filter((l) => l.level === 40 && String(l.msg).startsWith('cannot write the log file'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ vassal: 'a', path: log, errno: expect.stringMatching(/^E(NOTDIR|EXIST)$/) });
    expect(await em.status('a')).toMatchObject({ state: 'running', restarts: 0 });
  });

  test('a full disk (a real 256 KiB tmpfs, needs root) is reported once, counted, and writing resumes once there is room', async () => {
    expect(process.getuid?.()).toBe(0);
    const em = await pool.fresh().start();
    const disk = join(em.dir, 'disk');
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', disk]);
    try {
      const log = join(disk, 'a.log');
      em.write('a.yml', nodeVassal("const pad = 'y'.repeat(200); let i = 0; setInterval(() => { for (let k = 0; k < 20; k++) console.log('seq ' + i++ + ' ' + pad); }, 5);", `  logto: ${log}
`));
      const full = await waitFor(() => em.logs.find((l) => l.level === 40 && String(l.msg).startsWith('cannot write the log file')), { message: 'the disk-full warning', timeout: 30_000 });
      expect(full).toMatchObject({ vassal: 'a', path: log, errno: 'ENOSPC' });
      expect((await em.status('a'))?.state).toBe('running');
      truncateSync(log, 0);
      await waitFor(() => em.logs.some((l) => l.vassal === 'a' && String(l.msg).startsWith('writing the log file')), { message: 'writing again', timeout: 30_000 });
      const again = em.logs.find((l) => l.vassal === 'a' && String(l.msg).startsWith('writing the log file'));
      expect(again).toMatchObject({ level: 30, path: log, dropped: expect.any(Number) });
      expect(em.logs.filter((l) => String(l.msg).startsWith('cannot write the log file'))).toHaveLength(1);
      expect(await em.status('a')).toMatchObject({ state: 'running', restarts: 0 });
      await em.stop();
    } finally {
      execFileSync('umount', ['-l', disk]);
    }
  }, 90_000);

  test("--log-file takes the emperor's own log and is reopened like the vassals' files", async () => {
    const em = pool.fresh();
    const file = join(em.dir, 'emperor.log');
    const proc = spawn(process.execPath, [BIN, '--vassals', em.vassals, '--run-dir', em.runDir, '--log-file', file], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
    try {
      await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').includes('watching'), { message: 'the emperor log in the file', timeout: 20_000 });
      expect(JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!)).toMatchObject({ level: 30, pid: proc.pid });
      renameSync(file, `${file}.1`);
      const r = await runCli(['reopen-logs', '--run-dir', em.runDir]);
      expect(r.stdout).toBe("reopened 0 vassal log file(s) and the emperor's own log\n");
      await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').includes('reopened 0 vassal log file(s)'), { message: 'the reopen line in the new file' });
    } finally {
      proc.kill('SIGTERM');
      await exited;
    }
    expect(readFileSync(file, 'utf8')).toContain('every vassal stopped; bye');
  });

  test('a line over 64 KiB is split into marked pieces, none dropped', async () => {
    const em = await pool.fresh().start();
    const log = join(em.dir, 'logs', 'long.log');
    em.write('long.yml', nodeVassal("console.log('a'.repeat(150 * 1024)); console.log('after'); setInterval(() => {}, 1000);", `  logto: ${log}\n`));
    await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('stdout: after'), { message: 'the line after the long one' });
    const pieces = readFileSync(log, 'utf8').split('\n').filter((l) => / stdout\+?: a{100}/.test(l));
    expect(pieces.map((l) => / stdout(\+?): /.exec(l)?.[1])).toEqual(['+', '+', '']);
    expect(pieces.map((l) => l.slice(l.indexOf(': ') + 2)).join('')).toBe('a'.repeat(150 * 1024));
  });

  test('stdout and stderr are pipes: a program that opens /dev/stdout and /dev/stderr logs through them, and no FIFO is left in the run dir', async () => {
    const em = await pool.fresh().start();
    const log = join(em.dir, 'logs', 'devout.log');
    em.write('devout.yml', `emperor:\n  command: "echo to-dev-stdout > /dev/stdout; echo to-dev-stderr > /dev/stderr; exec sleep infinity"\n  logto: ${log}\n`);
    await waitFor(() => existsSync(log) && /stderr: to-dev-stderr/.test(readFileSync(log, 'utf8')), { message: 'both lines in the file' });
    expect(readFileSync(log, 'utf8')).toMatch(/ stdout: to-dev-stdout\n/);
    const pid = (await em.waitRunning('devout')).pid!;
    expect(readlinkSync(`/proc/${pid}/fd/1`)).toMatch(/^\/.*\(deleted\)$|^pipe:/);
    await em.stop();
    expect(readdirSync(join(em.runDir, 'pipes'))).toEqual([]);
  });

  test('merge-stderr: stderr is the stdout pipe itself, its lines logged as stdout in the order written, one descriptor in the emperor', async () => {
    const em = await pool.fresh().start();
    const log = join(em.dir, 'logs', 'merged.log');
    em.write('merged.yml', `emperor:\n  command: "echo one; echo two >&2; echo three > /dev/stderr; exec sleep infinity"\n  logto: ${log}\n  merge-stderr: true\n`);
    em.write('apart.yml', 'emperor:\n  command: [/bin/sleep, infinity]\n');
    await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('three'), { message: 'the three lines in the file' });
    const output = readFileSync(log, 'utf8').split('\n').filter((l) => / (stdout|stderr): /.test(l));
    expect(output.map((l) => l.slice(l.indexOf(' ') + 1))).toEqual(['#1 stdout: one', '#1 stdout: two', '#1 stdout: three']);
    const merged = (await em.waitRunning('merged')).pid!;
    expect(readlinkSync(`/proc/${merged}/fd/2`)).toBe(readlinkSync(`/proc/${merged}/fd/1`));
    const apart = (await em.waitRunning('apart')).pid!;
    expect(readlinkSync(`/proc/${apart}/fd/2`)).not.toBe(readlinkSync(`/proc/${apart}/fd/1`));
    // The emperor holds the read end of each pipe: three in all, against four for two vassals apart.
    const readEnds = readdirSync(`/proc/${em.proc.pid}/fd`).filter((fd) => {
      try {
        return /\/pipes\/.*\(deleted\)$/.test(readlinkSync(`/proc/${em.proc.pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
    expect(readEnds.length).toBe(3);
  });

  test('without mkfifo the emperor says so once and instances write to socket pairs', async () => {
    const em = await pool.fresh().start({ env: { PATH: '/nonexistent' } });
    const log = join(em.dir, 'logs', 'nofifo.log');
    em.write('nofifo.yml', `emperor:\n  command: [/bin/sh, -c, "echo still-logged; exec sleep infinity"]\n  logto: ${log}\n`);
    em.write('other.yml', `emperor:\n  command: [/bin/sleep, infinity]\n`);
    await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('stdout: still-logged'), { message: 'the line in the file' });
    await em.waitRunning('other');
    const warnings = em.logs.filter((l) => String(l.msg).includes('cannot make FIFOs'));
    expect(warnings.length).toBe(1);
    expect(String(warnings[0]!.msg)).toMatch(/run\/pipes: .*; instances write stdout and stderr to socket pairs instead/);
  });
});

