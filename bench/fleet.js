#!/usr/bin/env node
// What a fleet costs etcd: 3 emperors on this machine (standing for 3 hosts), each with the
// same N fleet singletons (`sleep`), on one etcd member. Measures the time until every
// singleton runs somewhere, then over a steady window etcd's writes, lease renewals and
// watches (from etcd's own /metrics), the leases held, and each emperor's CPU and RSS; then
// SIGKILLs the emperor that holds the most and times the failover of its singletons.
//   node bench/fleet.js [--vassals 200] [--ttl 10] [--window 30]
// Prints a markdown table (docs/fleet.md quotes it).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { controlApi, numberOpt, startEtcd, steadyWindow } from './lib/etcd-bench.js';
import { sleep } from './lib/util.js';

const argv = process.argv.slice(2);
const N = numberOpt(argv, '--vassals', 200);
const TTL = numberOpt(argv, '--ttl', 10);
const WINDOW = numberOpt(argv, '--window', 30);
const BIN = resolve(import.meta.dirname, '..', 'bin', 'emperor.js');
const root = mkdtempSync(join(tmpdir(), 'emperor-fleet-bench-'));
const children = [];

async function leaseCount(port) {
  const r = await fetch(`http://127.0.0.1:${port}/v3/lease/leases`, { method: 'POST', body: '{}' });
  return ((await r.json()).leases ?? []).length;
}

async function runningBy(nodes) {
  const holders = new Map();
  for (const n of nodes) {
    if (!n.alive) continue;
    const { vassals } = await controlApi(n.runDir, '/vassals');
    for (const v of vassals) if (v.state === 'running') holders.set(v.name, [...(holders.get(v.name) ?? []), n.name]);
  }
  return holders;
}

async function main() {
  const etcd = await startEtcd(join(root, 'etcd'));
  children.push(etcd.proc);
  const client = etcd.port;
  const nodes = ['a', 'b', 'c'].map((name) => ({ name, dir: join(root, name, 'vassals'), runDir: join(root, name, 'run'), alive: true, proc: null }));
  for (const n of nodes) {
    mkdirSync(n.dir, { recursive: true });
    for (let i = 0; i < N; i++) writeFileSync(join(n.dir, `s${String(i).padStart(3, '0')}.yml`), 'emperor:\n  command: [sleep, "100000"]\n  singleton: fleet\n  stop-timeout: 2s\n');
  }
  const t0 = Date.now();
  for (const n of nodes) {
    n.proc = spawn(process.execPath, [BIN, '--vassals', n.dir, '--run-dir', n.runDir, '--log-format', 'json', '--log-level', 'warn', '--fleet', `etcd://127.0.0.1:${client}`, '--node', n.name, '--fleet-ttl', `${TTL}s`], { stdio: 'ignore' });
    children.push(n.proc);
  }
  let allUpMs = null;
  for (let i = 0; i < 360; i++) {
    await sleep(250);
    try {
      const h = await runningBy(nodes);
      if (h.size === N && [...h.values()].every((x) => x.length === 1)) {
        allUpMs = Date.now() - t0;
        break;
      }
    } catch {}
  }
  await sleep(3000);
  const settled = await runningBy(nodes);
  const { after, cpu, rss, rate } = await steadyWindow(client, nodes.map((n) => n.proc.pid), WINDOW);
  const leases = await leaseCount(client);
  const holders = await runningBy(nodes);
  const doubled = [...holders.values()].filter((hs) => hs.length > 1).length;
  // Kept settled at idle: no singleton changed its holder (or stopped) during the window.
  const moved = [...settled].filter(([name, hs]) => (holders.get(name) ?? []).join() !== hs.join()).length;
  const per = new Map(nodes.map((n) => [n.name, 0]));
  for (const [, hs] of holders) per.set(hs[0], per.get(hs[0]) + 1);

  // Failover: SIGKILL the node holding the most singletons.
  const victim = [...per].sort((a, b) => b[1] - a[1])[0][0];
  const vn = nodes.find((n) => n.name === victim);
  const moving = [...holders].filter(([, hs]) => hs[0] === victim).map(([name]) => name);
  vn.proc.kill('SIGKILL');
  vn.alive = false;
  const k0 = Date.now();
  let failoverMs = null;
  for (let i = 0; i < 600; i++) {
    await sleep(100);
    const h = await runningBy(nodes).catch(() => new Map());
    if (moving.every((name) => (h.get(name) ?? []).length === 1)) {
      failoverMs = Date.now() - k0;
      break;
    }
  }
  const rows = [
    ['fleet', `3 emperors × ${N} fleet singletons (\`sleep\`), TTL ${TTL}s, 1 etcd member, this 2-core machine`],
    ['every singleton running on exactly one node', `${allUpMs === null ? 'not reached in 90 s' : `${(allUpMs / 1000).toFixed(1)} s after the emperors started`}; at the end of the window ${holders.size} of ${N} running (held: ${[...per].map(([k, v]) => `${k} ${v}`).join(', ')}; on two nodes at once: ${doubled})`],
    ['singletons that changed holder (or stopped) during the steady window', String(moved)],
    ['etcd writes (put + delete + txn) per second, steady', `${(Number(rate('puts')) + Number(rate('deletes')) + Number(rate('txns'))).toFixed(1)} (puts ${rate('puts')}, txns ${rate('txns')}); raft proposals ${rate('proposals')}/s`],
    ['lease keepalive messages per second', rate('renewals')],
    ['leases held in etcd', String(leases)],
    ['watchers / watch streams in etcd', `${after.watchers} / ${after.watchStreams}`],
    ['ranges (reads) per second', rate('ranges')],
    ['emperor CPU (each, % of one core)', cpu.map((c) => c.toFixed(1)).join(', ')],
    ['emperor RSS (each, MB)', rss.map((r) => r.toFixed(0)).join(', ')],
    [`failover after SIGKILL of ${victim} (${moving.length} singletons)`, failoverMs === null ? 'not reached' : `${(failoverMs / 1000).toFixed(1)} s until all ran elsewhere`],
  ];
  console.log(`| measure | value |\n| --- | --- |\n${rows.map((r) => `| ${r[0]} | ${r[1]} |`).join('\n')}`);
}

async function cleanup() {
  for (const c of children.reverse()) {
    try {
      c.kill('SIGTERM');
    } catch {}
  }
  await sleep(4000);
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {}
  }
  rmSync(root, { recursive: true, force: true });
}

main()
  .catch((err) => console.error(err))
  .finally(cleanup);
