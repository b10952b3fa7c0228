#!/usr/bin/env node
// What vassals kept in etcd cost, and how fast changes reach every host: H emperors on this
// machine (standing for H hosts) follow one prefix (`--vassals etcd://…/PREFIX/`) on one etcd
// member. Measures: N keys put → every emperor runs all N; a steady window (etcd reads/s and
// watchers from etcd's /metrics, each emperor's CPU and RSS); one key changed → every emperor
// reloaded it; every key changed (a deploy) → every emperor reloaded all; etcd stopped (nothing
// may stop) and started again with half the keys deleted at once → every emperor reconnected
// and removed them.
//   node bench/etcd-vassals.js [--vassals 200] [--hosts 3] [--window 30]
//   node bench/etcd-vassals.js --quick        (20 vassals, 5 s window: checks the bench works)
// Prints a markdown table (docs/vassals-from-etcd.md quotes it).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Etcd3 } from 'etcd3';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const opt = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const N = opt('--vassals', quick ? 20 : 200);
const H = opt('--hosts', 3);
const WINDOW = opt('--window', quick ? 5 : 30);
const PREFIX = '/emperor/vassals/';
const BIN = resolve(import.meta.dirname, '..', 'bin', 'emperor.js');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const root = mkdtempSync(join(tmpdir(), 'emperor-etcd-vassals-bench-'));
const children = [];
const vassal = (tag) => `emperor:\n  command: [sleep, "100000"]\n  stop-timeout: 2s\n# ${tag}\n`;
const key = (i) => `${PREFIX}s${String(i).padStart(4, '0')}.yml`;

function freePort() {
  return new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function api(runDir, path) {
  return new Promise((res, rej) => {
    const req = request({ socketPath: join(runDir, 'control.sock'), path }, (r) => {
      let t = '';
      r.on('data', (c) => (t += c));
      r.on('end', () => {
        try {
          res(JSON.parse(t));
        } catch (err) {
          rej(err);
        }
      });
    });
    req.on('error', rej);
    req.end();
  });
}

async function etcdMetrics(port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const sum = (re) => text.split('\n').filter((l) => re.test(l) && !l.startsWith('#')).reduce((a, l) => a + Number(l.split(' ').pop()), 0);
  return { ranges: sum(/^etcd_mvcc_range_total/), watchers: sum(/^etcd_debugging_mvcc_watcher_total/), watchStreams: sum(/^etcd_debugging_mvcc_watch_stream_total/) };
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
function rssMb(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

// Waits until `probe` is true; returns the milliseconds it took (null: not within `limitMs`).
async function timeUntil(probe, limitMs) {
  const t0 = Date.now();
  while (Date.now() - t0 < limitMs) {
    try {
      if (await probe()) return Date.now() - t0;
    } catch {
      // an emperor busy or restarting: look again
    }
    await sleep(100);
  }
  return null;
}

const vassalsOf = async (n) => (await api(n.runDir, '/vassals')).vassals;
const everyHost = async (pred) => (await Promise.all(hosts.map(async (n) => pred(await vassalsOf(n), n)))).every(Boolean);
const seconds = (ms) => (ms === null ? 'not reached' : `${(ms / 1000).toFixed(1)} s`);
let hosts = [];

function startEtcd(port, peer) {
  const etcd = spawn('/usr/bin/etcd', ['--data-dir', join(root, 'etcd'), '--listen-client-urls', `http://127.0.0.1:${port}`, '--advertise-client-urls', `http://127.0.0.1:${port}`, '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`, '--initial-cluster', `default=http://127.0.0.1:${peer}`, '--log-level', 'error'], { stdio: 'ignore' });
  children.push(etcd);
  return etcd;
}
async function healthy(port) {
  return (await timeUntil(async () => (await (await fetch(`http://127.0.0.1:${port}/health`)).json()).health === 'true', 20_000)) !== null;
}

async function main() {
  const port = await freePort();
  const peer = await freePort();
  let etcd = startEtcd(port, peer);
  if (!(await healthy(port))) throw new Error('etcd did not start');
  const client = new Etcd3({ hosts: `http://127.0.0.1:${port}` });
  const url = `etcd://127.0.0.1:${port}${PREFIX}`;
  hosts = Array.from({ length: H }, (_, i) => ({ name: `h${i}`, runDir: join(root, `h${i}`) }));
  for (const n of hosts) {
    n.proc = spawn(process.execPath, [BIN, '--vassals', url, '--run-dir', n.runDir, '--log-format', 'json', '--log-level', 'warn'], { stdio: 'ignore' });
    children.push(n.proc);
  }
  if ((await timeUntil(() => everyHost((_, n) => api(n.runDir, '/emperor').then((i) => i.sources[0]?.connected)), 30_000)) === null) throw new Error('the emperors did not connect');

  // N keys put (in batches of 100, one transaction each) → every host runs all N.
  const t0 = Date.now();
  for (let i = 0; i < N; i += 100) {
    const puts = [];
    for (let j = i; j < Math.min(N, i + 100); j++) puts.push(client.put(key(j)).value(vassal('v1')));
    await client.if(`${PREFIX}none`, 'Version', '==', 0).then(...puts).commit();
  }
  const putDone = Date.now();
  const allRunning = (vs) => vs.filter((v) => v.state === 'running').length === N;
  const upMs = await timeUntil(() => everyHost(allRunning), 180_000);
  const putMs = upMs === null ? null : putDone - t0 + upMs;

  // Steady window.
  await sleep(2000);
  const before = await etcdMetrics(port);
  const cpu0 = hosts.map((n) => cpuTicks(n.proc.pid));
  const w0 = Date.now();
  await sleep(WINDOW * 1000);
  const secs = (Date.now() - w0) / 1000;
  const after = await etcdMetrics(port);
  const cpu = hosts.map((n, i) => ((cpuTicks(n.proc.pid) - cpu0[i]) / 100 / secs) * 100);
  const rss = hosts.map((n) => rssMb(n.proc.pid));

  // One key changed → every host reloads it (a new generation).
  const gen = async (n, name) => (await vassalsOf(n)).find((v) => v.name === name)?.generation ?? 0;
  const g0 = await Promise.all(hosts.map((n) => gen(n, 's0000')));
  await client.put(key(0)).value(vassal('v2'));
  const oneMs = await timeUntil(async () => (await Promise.all(hosts.map((n, i) => gen(n, 's0000').then((g) => g > g0[i])))).every(Boolean), 60_000);

  // Every key changed (a deploy) → every host reloads all.
  const gens = await Promise.all(hosts.map(async (n) => new Map((await vassalsOf(n)).map((v) => [v.name, v.generation]))));
  for (let i = 0; i < N; i += 100) {
    const puts = [];
    for (let j = i; j < Math.min(N, i + 100); j++) puts.push(client.put(key(j)).value(vassal('v3')));
    await client.if(`${PREFIX}none`, 'Version', '==', 0).then(...puts).commit();
  }
  const deployMs = await timeUntil(() => everyHost((vs, n) => vs.filter((v) => v.state === 'running' && v.generation > (gens[hosts.indexOf(n)].get(v.name) ?? 0)).length === N), 300_000);

  // etcd stopped: nothing stops; started again with half the keys deleted at once → reconciled.
  const pids = await Promise.all(hosts.map(async (n) => new Map((await vassalsOf(n)).map((v) => [v.name, v.pid]))));
  etcd.kill('SIGTERM');
  await new Promise((r) => etcd.once('exit', r));
  const downMs = await timeUntil(() => everyHost((_, n) => api(n.runDir, '/emperor').then((i) => i.sources[0]?.connected === false)), 60_000);
  const kept = await everyHost((vs, n) => vs.every((v) => v.state === 'running' && v.pid === pids[hosts.indexOf(n)].get(v.name)) && vs.length === N);
  etcd = startEtcd(port, peer);
  if (!(await healthy(port))) throw new Error('etcd did not come back');
  const r0 = Date.now();
  const gone = Array.from({ length: Math.floor(N / 2) }, (_, i) => client.delete().key(key(i)));
  await client.if(`${PREFIX}none`, 'Version', '==', 0).then(...gone).commit();
  const half = N - Math.floor(N / 2);
  const reconcileMs = await timeUntil(() => everyHost((vs) => vs.length === half), 120_000);
  const sinceBack = reconcileMs === null ? null : Date.now() - r0;
  client.close();

  const rate = (k) => ((after[k] - before[k]) / secs).toFixed(2);
  const rows = [
    ['setup', `${H} emperors × ${N} vassals (\`sleep\`) from one etcd prefix, 1 etcd member, this machine`],
    [`${N} keys put (transactions of 100) → every emperor runs all ${N}`, seconds(putMs)],
    ['etcd reads (ranges) per second, steady', rate('ranges')],
    ['watchers / watch streams in etcd', `${after.watchers} / ${after.watchStreams}`],
    ['emperor CPU, steady (each, % of one core)', cpu.map((c) => c.toFixed(1)).join(', ')],
    ['emperor RSS (each, MB)', rss.map((r) => r.toFixed(0)).join(', ')],
    ['one key changed → every emperor reloaded it', seconds(oneMs)],
    [`every key changed (a deploy) → every emperor reloaded all ${N}`, seconds(deployMs)],
    ['etcd stopped → every emperor shows the source disconnected', seconds(downMs)],
    ['while etcd was down: every vassal kept running with the same pid', kept ? 'yes' : 'NO'],
    [`etcd back, ${N - half} keys deleted at once → every emperor removed them`, `${seconds(sinceBack)} after the delete`],
  ];
  console.log(`| measure | value |\n| --- | --- |\n${rows.map((r) => `| ${r[0]} | ${r[1]} |`).join('\n')}`);
  if (!kept || reconcileMs === null) process.exitCode = 1;
}

async function cleanup() {
  for (const c of children.reverse()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? Promise.race([new Promise((r) => c.once('exit', r)), sleep(20_000)]) : null)));
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(cleanup);
