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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Etcd3 } from 'etcd3';
import { controlApi as api, numberOpt, startEtcd, steadyWindow } from './lib/etcd-bench.js';
import { sleep } from './lib/util.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const opt = (name, fallback) => numberOpt(argv, name, fallback);
const N = opt('--vassals', quick ? 20 : 200);
const H = opt('--hosts', 3);
const WINDOW = opt('--window', quick ? 5 : 30);
const PREFIX = '/emperor/vassals/';
const BIN = resolve(import.meta.dirname, '..', 'bin', 'emperor.js');
const root = mkdtempSync(join(tmpdir(), 'emperor-etcd-vassals-bench-'));
const children = [];
const vassal = (tag) => `emperor:\n  command: [sleep, "100000"]\n  stop-timeout: 2s\n# ${tag}\n`;
const key = (i) => `${PREFIX}s${String(i).padStart(4, '0')}.yml`;

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

async function main() {
  let etcd = await startEtcd(join(root, 'etcd'));
  children.push(etcd.proc);
  if (!etcd.healthy) throw new Error('etcd did not start');
  const { port } = etcd;
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
  const { after, cpu, rss, rate } = await steadyWindow(port, hosts.map((n) => n.proc.pid), WINDOW);

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
  etcd.proc.kill('SIGTERM');
  await new Promise((r) => etcd.proc.once('exit', r));
  const downMs = await timeUntil(() => everyHost((_, n) => api(n.runDir, '/emperor').then((i) => i.sources[0]?.connected === false)), 60_000);
  const kept = await everyHost((vs, n) => vs.every((v) => v.state === 'running' && v.pid === pids[hosts.indexOf(n)].get(v.name)) && vs.length === N);
  etcd = await startEtcd(join(root, 'etcd'), etcd);
  children.push(etcd.proc);
  if (!etcd.healthy) throw new Error('etcd did not come back');
  const r0 = Date.now();
  const gone = Array.from({ length: Math.floor(N / 2) }, (_, i) => client.delete().key(key(i)));
  await client.if(`${PREFIX}none`, 'Version', '==', 0).then(...gone).commit();
  const half = N - Math.floor(N / 2);
  const reconcileMs = await timeUntil(() => everyHost((vs) => vs.length === half), 120_000);
  const sinceBack = reconcileMs === null ? null : Date.now() - r0;
  client.close();

  const rows = [
    ['setup', `${H} emperors × ${N} vassals (\`sleep\`) from one etcd prefix, 1 etcd member, this machine`],
    [`${N} keys put (transactions of 100) → every emperor runs all ${N}`, seconds(putMs)],
    ['etcd reads (ranges) per second, steady', rate('ranges', 2)],
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
