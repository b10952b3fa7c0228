#!/usr/bin/env node
// What a fleet costs etcd: 3 emperors on this machine (standing for 3 hosts), each with the
// same N fleet singletons (`sleep`), on one etcd member. Measures the time until every
// singleton runs somewhere, then over a steady window etcd's writes, lease renewals and
// watches (from etcd's own /metrics), the leases held, and each emperor's CPU and RSS; then
// SIGKILLs the emperor that holds the most and times the failover of its singletons.
//   node bench/fleet.js [--vassals 200] [--ttl 10] [--window 30]
// Prints a markdown table (docs/fleet.md quotes it).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const N = opt('--vassals', 200);
const TTL = opt('--ttl', 10);
const WINDOW = opt('--window', 30);
const BIN = resolve(import.meta.dirname, '..', 'bin', 'emperor.js');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const root = mkdtempSync(join(tmpdir(), 'emperor-fleet-bench-'));
const children = [];

function freePort() {
  return new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function etcdMetrics(port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const sum = (re) => text.split('\n').filter((l) => re.test(l) && !l.startsWith('#')).reduce((a, l) => a + Number(l.split(' ').pop()), 0);
  return {
    puts: sum(/^etcd_mvcc_put_total/),
    deletes: sum(/^etcd_mvcc_delete_total/),
    txns: sum(/^etcd_mvcc_txn_total/),
    renewals: sum(/^grpc_server_msg_received_total\{.*grpc_method="LeaseKeepAlive"/),
    ranges: sum(/^etcd_mvcc_range_total/),
    watchers: sum(/^etcd_debugging_mvcc_watcher_total/),
    watchStreams: sum(/^etcd_debugging_mvcc_watch_stream_total/),
    proposals: sum(/^etcd_server_proposals_committed_total/),
  };
}

async function leaseCount(port) {
  const r = await fetch(`http://127.0.0.1:${port}/v3/lease/leases`, { method: 'POST', body: '{}' });
  return ((await r.json()).leases ?? []).length;
}

async function api(runDir, path) {
  return new Promise((res, rej) => {
    const req = (awaitImportHttp()).request({ socketPath: join(runDir, 'control.sock'), path }, (r) => {
      let t = '';
      r.on('data', (c) => (t += c));
      r.on('end', () => res(JSON.parse(t)));
    });
    req.on('error', rej);
    req.end();
  });
}
let http;
function awaitImportHttp() {
  return http;
}

function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
function rssMb(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

async function runningBy(nodes) {
  const holders = new Map();
  for (const n of nodes) {
    if (!n.alive) continue;
    const { vassals } = await api(n.runDir, '/vassals');
    for (const v of vassals) if (v.state === 'running') holders.set(v.name, [...(holders.get(v.name) ?? []), n.name]);
  }
  return holders;
}

async function main() {
  http = await import('node:http');
  const client = await freePort();
  const peer = await freePort();
  const etcd = spawn('/usr/bin/etcd', ['--data-dir', join(root, 'etcd'), '--listen-client-urls', `http://127.0.0.1:${client}`, '--advertise-client-urls', `http://127.0.0.1:${client}`, '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`, '--initial-cluster', `default=http://127.0.0.1:${peer}`, '--log-level', 'error'], { stdio: 'ignore' });
  children.push(etcd);
  for (let i = 0; i < 100; i++) {
    try {
      if ((await (await fetch(`http://127.0.0.1:${client}/health`)).json()).health === 'true') break;
    } catch {}
    await sleep(100);
  }
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
  const before = await etcdMetrics(client);
  const cpu0 = nodes.map((n) => cpuTicks(n.proc.pid));
  const w0 = Date.now();
  await sleep(WINDOW * 1000);
  const secs = (Date.now() - w0) / 1000;
  const after = await etcdMetrics(client);
  const cpu = nodes.map((n, i) => ((cpuTicks(n.proc.pid) - cpu0[i]) / 100 / secs) * 100);
  const rss = nodes.map((n) => rssMb(n.proc.pid));
  const leases = await leaseCount(client);
  const holders = await runningBy(nodes);
  const doubled = [...holders.values()].filter((hs) => hs.length > 1).length;
  // Kept settled at idle: no singleton changed its holder (or stopped) during the window.
  const moved = [...settled].filter(([name, hs]) => (holders.get(name) ?? []).join() !== hs.join()).length;
  const per = new Map(nodes.map((n) => [n.name, 0]));
  for (const [, hs] of holders) per.set(hs[0], per.get(hs[0]) + 1);
  const rate = (k) => ((after[k] - before[k]) / secs).toFixed(1);

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
