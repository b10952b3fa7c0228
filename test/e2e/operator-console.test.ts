// The operator's console against a real emperor and real processes: several names and --all,
// `restart`, a stop kept across an emperor restart, status with sockets, strategy, CPU and
// memory from /proc, `top`, `events`, shell completion and the per-vassal process metrics.
import { afterEach, describe, expect, test } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { VassalStatus } from '../../src/core/status.js';
import { BIN, emperorPool, FOREVER, nodeVassal, REPO } from '../helpers/emperor.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';
import { ensureBuilt, runCli } from '../cli/helpers/run-cli.js';

const pool = emperorPool();
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  expect(await pool.cleanupAll()).toEqual([]);
});

// A long-running CLI command (top, events) whose output the test reads; killed after the test.
function cli(args: readonly string[], program?: string): { child: ChildProcess; text: () => string; exited: Promise<number | null> } {
  const child = spawn(program ?? process.execPath, program ? [...args] : [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  return { child, text: () => out, exited: new Promise((resolve) => child.on('exit', resolve)) };
}

const DEMO = join(REPO, 'vassals.example', 'apps', 'demo-server.js');
// Busy about a fifth of the time, in two processes of one group: CPU and RSS add up over the group.
const BUSY = "const b=()=>{const t=Date.now();while(Date.now()-t<20){}};setInterval(b,100);require('child_process').spawn(process.execPath,['-e','setInterval(()=>{const t=Date.now();while(Date.now()-t<20){}},100)'],{stdio:'inherit'});";

async function fleet(names: readonly string[]): Promise<ReturnType<typeof pool.fresh>> {
  ensureBuilt();
  const em = await pool.fresh().start();
  for (const n of names) em.write(`${n}.yml`, nodeVassal(FOREVER, '  ready: spawn\n'));
  for (const n of names) await em.waitRunning(n);
  return em;
}

describe('several names and --all', () => {
  test('stop a b runs both and prints a table; reload --all skips what the operator stopped; restart is reload', async () => {
    const em = await fleet(['a', 'b', 'c']);
    const stop = await runCli(['stop', 'a', 'b', '--run-dir', em.runDir]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/^NAME\s+RESULT\s+MESSAGE\na\s+ok\s+stopped\nb\s+ok\s+stopped\n$/);
    expect((await em.status('a'))?.state).toBe('stopped');
    const before = (await em.status('c'))?.generation ?? 0;
    const reload = await runCli(['reload', '--all', '--run-dir', em.runDir]);
    expect(reload.code).toBe(0);
    expect(reload.stdout).toMatch(/^c\s+ok\s+running \(pid \d+, generation \d+\)$/m);
    expect(reload.stdout).not.toMatch(/^a\s/m);
    expect((await em.status('c'))?.generation).toBeGreaterThan(before);
    expect((await em.status('a'))?.state).toBe('stopped');
    const restart = await runCli(['restart', 'c', '--run-dir', em.runDir]);
    expect(restart.code).toBe(0);
    expect(restart.stdout).toMatch(/^c: running \(pid \d+, generation \d+\)\n$/);
    const start = await runCli(['start', '--all', '--run-dir', em.runDir]);
    expect(start.code).toBe(0);
    for (const n of ['a', 'b', 'c']) expect((await em.status(n))?.state).toBe('running');
  }, 90_000);

  test('one failure among several: every other target still runs, exit 1, the table says which', async () => {
    const em = await fleet(['a']);
    em.write('bad.yml', 'emperor:\n  command: 12\n');
    await em.waitStatus('bad', (s) => s.state === 'broken', 'broken');
    const r = await runCli(['reload', 'a', 'bad', 'nope', '--run-dir', em.runDir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^a\s+ok\s+running/m);
    expect(r.stdout).toMatch(/^bad\s+failed\s+bad is broken: /m);
    expect(r.stdout).toMatch(/^nope\s+failed\s+no vassal named 'nope'/m);
    expect(r.stderr).toBe('2 of 3 failed\n');
    // One wording for one condition: the single-name refusal reads the same.
    const one = await runCli(['reload', 'bad', '--run-dir', em.runDir]);
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/^failed: bad is broken: /);
  }, 90_000);

  test('restart-dance of several vassals runs them in parallel, each line named, with one duration per dance', async () => {
    ensureBuilt();
    const em = await pool.fresh().start();
    const dancer = async (): Promise<string> => `emperor:\n  command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(DEMO)}]\n  sockets: { http: "127.0.0.1:${await freePort()}" }\n  ready: notify\n  reload: dance\n  standin: { env: { JOB_HANDLERS: "0" } }\n`;
    em.write('d1.yml', await dancer());
    em.write('d2.yml', await dancer());
    await em.waitRunning('d1');
    await em.waitRunning('d2');
    const r = await runCli(['restart-dance', '--all', '--run-dir', em.runDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const n of ['d1', 'd2']) {
      expect(r.stdout).toMatch(new RegExp(`^${n}: stand-in ready in \\d+(\\.\\d+)?s$`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^${n}\\s+ok\\s+restart dance done in \\d+(\\.\\d+)?s$`, 'm'));
    }
    expect(r.stdout).not.toMatch(/total|standin-|main-starting|main-stopping/);
  }, 90_000);
});

describe('an operator stop across emperor restarts', () => {
  test('stays stopped through a restart and a touch; a change of the file or start brings it back', async () => {
    const em = await fleet(['kept', 'free']);
    for (const [name, action] of [['kept', 'stop'], ['free', 'stop'], ['free', 'start']]) expect((await em.api(`/vassals/${name}/${action}`, 'POST')).status).toBe(200);
    expect(JSON.parse(readFileSync(join(em.vassals, '.emperor-stopped.json'), 'utf8'))).toEqual({ kept: expect.any(String) });
    expect(await em.stop()).toBe(0);
    await em.start();
    await em.waitRunning('free');
    const kept = await em.waitStatus('kept', (s) => s.state === 'stopped', 'stopped after the restart');
    expect(kept.note).toBe('stopped by the operator');
    expect(em.events('kept', 'spawned').length).toBe(1); // only the first emperor's instance
    const status = await runCli(['status', '--run-dir', em.runDir]);
    expect(status.stdout).toMatch(/^kept\s+stopped\s.*stopped by the operator$/m);
    // A touch keeps it stopped.
    const file = join(em.vassals, 'kept.yml');
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    await waitFor(() => em.events('kept', 'changed').length > 0, { message: 'touch seen' });
    expect((await em.status('kept'))?.state).toBe('stopped');
    // A change of its content starts it, and forgets the stop.
    em.write('kept.yml', nodeVassal(FOREVER, '  ready: spawn\n  env: { CHANGED: "1" }\n'));
    await em.waitRunning('kept');
    await waitFor(() => !readFileSync(join(em.vassals, '.emperor-stopped.json'), 'utf8').includes('kept'), { message: 'stop forgotten' });
  }, 90_000);

  test('start after a restart starts it and forgets the stop', async () => {
    const em = await fleet(['w']);
    expect((await em.api('/vassals/w/stop', 'POST')).status).toBe(200);
    expect(await em.stop()).toBe(0);
    await em.start();
    await em.waitStatus('w', (s) => s.state === 'stopped', 'stopped after the restart');
    const r = await runCli(['start', 'w', '--run-dir', em.runDir]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(em.vassals, '.emperor-stopped.json'), 'utf8').trim()).toBe('{}');
  }, 90_000);
});

describe('status, top, events, completion, metrics', () => {
  test('status shows sockets and the reload strategy; --wide the CPU and memory of the whole group', async () => {
    ensureBuilt();
    const em = await pool.fresh().start();
    const port = await freePort();
    em.write('busy.yml', nodeVassal(BUSY, `  ready: spawn\n  reload: overlap\n  sockets: { http: "127.0.0.1:${port}" }\n`));
    await em.waitRunning('busy');
    const narrow = await runCli(['status', '--run-dir', em.runDir]);
    expect(narrow.stdout).toMatch(/^NAME\s+STATE\s+PID\s+UPTIME\s+GEN\s+RESTARTS\s+RELOAD\s+SOCKETS\s+NOTE$/m);
    expect(narrow.stdout).toMatch(new RegExp(`^busy\\s+running\\s+\\d+\\s+\\S+\\s+1\\s+0\\s+overlap\\s+http=127\\.0\\.0\\.1:${port}$`, 'm'));
    const usage = await waitFor(async () => {
      const r = await em.api<VassalStatus>('/vassals/busy?usage=1');
      return r.body.usage && r.body.usage.processes >= 2 && (r.body.usage.cpuPercent ?? 0) > 0 ? r.body.usage : undefined;
    }, { message: 'two processes using CPU', timeout: 15_000 });
    expect(usage.rssBytes).toBeGreaterThan(2 * 1024 * 1024);
    const wide = await runCli(['status', 'busy', '--wide', '--run-dir', em.runDir]);
    expect(wide.stdout).toMatch(/^NAME\s+STATE\s+PID\s+UPTIME\s+GEN\s+RESTARTS\s+RELOAD\s+SOCKETS\s+CPU%\s+RSS\s+LAST EXIT\s+NOTE$/m);
    expect(wide.stdout).toMatch(/^busy\s+running\s.*\s\d+\.\d%\s+\d+(\.\d)?M\s+-$/m);
    const metrics = await runCli(['metrics', '--run-dir', em.runDir]);
    expect(metrics.stdout).toMatch(/^process_cpu_seconds_total [\d.e-]+$/m); // the emperor's own
    expect(metrics.stdout).toMatch(/^process_cpu_seconds_total\{vassal="busy"\} [\d.e-]+$/m);
    expect(metrics.stdout).toMatch(/^process_resident_memory_bytes\{vassal="busy"\} [1-9]\d+$/m);
  }, 90_000);

  test('a ready-timeout kill is reported as the emperor killing it, and status --wide shows the last exit', async () => {
    ensureBuilt();
    const em = await pool.fresh().start();
    em.write('slow.yml', nodeVassal(FOREVER, '  ready: notify\n  ready-timeout: 1s\n'));
    const exited = await waitFor(() => em.events('slow', 'exited')[0], { message: 'killed for its ready-timeout' });
    expect(exited.msg).toMatch(/^generation 1 exited with signal SIGKILL: killed by the emperor, not ready within its ready-timeout \(1s\)$/);
    const wide = await runCli(['status', 'slow', '--wide', '--run-dir', em.runDir]);
    expect(wide.stdout).toMatch(/SIGKILL, \d+s ago/);
  }, 90_000);

  test('top redraws the table and quits on q', async () => {
    const em = await fleet(['t1']);
    const top = cli(['top', '--run-dir', em.runDir]);
    await waitFor(() => (top.text().match(/^emperor top - 1 vassal\(s\), 1 running/gm) ?? []).length >= 2, { message: `two frames in: ${top.text()}`, timeout: 15_000 });
    expect(top.text()).toMatch(/^t1\s+running\s.*\d+\.\d%\s+\d/m);
    top.child.stdin?.write('q');
    expect(await top.exited).toBe(0);
  }, 90_000);

  test('top on a terminal: the alternate screen, lines cut to its width, q restores it', async () => {
    const em = await fleet(['a-rather-long-vassal-name']);
    // script(1) gives top a real pseudo-terminal of 50 columns; q is typed once a frame is drawn.
    const term = cli(['-q', '-c', `stty cols 50 rows 20; NO_COLOR=1 ${process.execPath} ${BIN} top --run-dir ${em.runDir}`, '/dev/null'], 'script');
    await waitFor(() => term.text().includes('a-rather-long-vassal-name  running'), { message: `a frame in: ${term.text()}`, timeout: 20_000 });
    term.child.stdin?.write('q');
    expect(await term.exited).toBe(0);
    const out = term.text();
    expect(out.startsWith('\u001b[?1049h')).toBe(true);
    expect(out.trimEnd().endsWith('\u001b[?1049l')).toBe(true);
    const visible = out.replace(/\u001b\[[?\d;]*[A-Za-z]/g, '').split(/\r?\n/);
    expect(visible.some((l) => l.startsWith('NAME'))).toBe(true);
    for (const line of visible) expect(line.length).toBeLessThanOrEqual(50);
  }, 90_000);

  test('events follows the stream in human form, or as JSON, until interrupted', async () => {
    const em = await fleet(['ev']);
    const follow = (args: string[]): { text: () => string; stop: () => Promise<number | null> } => {
      const c = cli(['events', ...args, '--run-dir', em.runDir]);
      return { text: c.text, stop: () => (c.child.kill('SIGINT'), c.exited) };
    };
    const human = follow(['ev']);
    const json = follow(['--json']);
    // Both streams are open once the emperor counts their connections; a reload is then seen by both.
    // There is no replay: reloads are asked for until both streams have seen one end.
    await waitFor(async () => {
      if (human.text().includes('reload done') && json.text().includes('"type":"done"')) return true;
      if ((await em.status('ev'))?.state === 'running') await em.api('/vassals/ev/reload?wait=0', 'POST');
      return false;
    }, { message: 'reload seen on both streams', timeout: 30_000, interval: 300 });
    expect(human.text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}ev {2}spawned generation \d+ \(pid \d+\)$/m);
    expect(human.text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}ev {2}reload done: running \(pid \d+, generation \d+\)$/m);
    const line = json.text().split('\n').find((l) => l.includes('"type":"spawned"'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ vassal: 'ev', type: 'spawned', pid: expect.any(Number) });
    expect(await human.stop()).toBe(0);
    expect(await json.stop()).toBe(0);
  }, 90_000);

  test('bash completion completes commands and options from the parser and names from the emperor', async () => {
    const em = await fleet(['alpha', 'beta']);
    const script = (await runCli(['completion', 'bash'])).stdout;
    const complete = (words: string[]): Promise<string> => new Promise((resolve, reject) => {
      const line = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _emperor; printf '%s\\n' "\${COMPREPLY[@]}"`;
      execFile('bash', ['-c', line], { env: { ...process.env, EMPEROR_RUN_DIR: em.runDir } }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    const bin = BIN;
    expect((await complete([bin, 'res'])).split('\n')).toEqual(expect.arrayContaining(['restart', 'restart-dance']));
    expect((await complete([bin, 'stop', '--'])).split('\n')).toEqual(expect.arrayContaining(['--all', '--no-wait']));
    expect((await complete([bin, 'stop', ''])).trim().split('\n')).toEqual(['alpha', 'beta']);
    expect((await complete([bin, 'reload', 'a'])).trim()).toBe('alpha');
    expect((await complete([bin, 'completion', ''])).trim().split('\n')).toEqual(['bash', 'zsh']);
    // zsh: the script as `compinit` loads it, its function called the way bashcompinit's
    // _bash_complete calls it (COMP_WORDS from zsh's 1-based words, COMP_CWORD = CURRENT - 1).
    const zsh = (await runCli(['completion', 'zsh'])).stdout;
    expect(zsh).toMatch(/^#compdef emperor\n/);
    const zshComplete = (words: string[]): Promise<string> => new Promise((resolve, reject) => {
      const line = `autoload -U compinit && compinit -u\n${zsh}\nwords=(${words.map((w) => `'${w}'`).join(' ')}); CURRENT=${words.length}\nCOMP_WORDS=("\${words[@]}"); COMP_CWORD=$((CURRENT - 1)); COMPREPLY=(); _emperor_zsh; print -l -- "\${COMPREPLY[@]}"`;
      execFile('zsh', ['-f', '-c', line], { env: { ...process.env, EMPEROR_RUN_DIR: em.runDir } }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    expect((await zshComplete([bin, 'stop', ''])).trim().split('\n')).toEqual(['alpha', 'beta']);
    // bashcompinit's compgen leaves the filtering by prefix to zsh's compadd.
    expect((await zshComplete([bin, 'restart-d'])).trim().split('\n')).toContain('restart-dance');
    expect((await zshComplete([bin, 'stop', '--'])).trim().split('\n')).toEqual(expect.arrayContaining(['--all', '--no-wait']));
    expect((await runCli(['completion', 'fish'])).code).toBe(2);
  }, 90_000);
});
