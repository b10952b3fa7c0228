// What the two etcd benchmarks (bench/fleet.js, bench/etcd-vassals.js) share: a throwaway etcd
// on loopback, its counters, an emperor's control API, and one steady window measured alike.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { procUsage, sleep } from './util.js';

/** A numeric command-line option (`--name 30`), or the fallback. */
export function numberOpt(argv, name, fallback) {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
}

export function freePort() {
  return new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** GET `path` on the emperor's control socket in `runDir`, parsed as JSON. */
export function controlApi(runDir, path) {
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

/**
 * A one-member etcd on loopback, data under `dataDir`: on free ports, or on `ports` (a restart on
 * the same ones); resolves once it is healthy or after 20 s.
 */
export async function startEtcd(dataDir, ports = null) {
  const port = ports?.port ?? (await freePort());
  const peer = ports?.peer ?? (await freePort());
  const proc = spawn('/usr/bin/etcd', ['--data-dir', dataDir, '--listen-client-urls', `http://127.0.0.1:${port}`, '--advertise-client-urls', `http://127.0.0.1:${port}`, '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`, '--initial-cluster', `default=http://127.0.0.1:${peer}`, '--log-level', 'error'], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await (await fetch(`http://127.0.0.1:${port}/health`)).json()).health === 'true') return { proc, port, peer, healthy: true };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return { proc, port, peer, healthy: false };
}

/** etcd's own counters, read from its /metrics. */
export async function etcdMetrics(port) {
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

/**
 * A steady window of `seconds`: etcd's counters before and after, and each emperor's CPU
 * (% of one core over the window) and RSS (MB) at its end.
 */
export async function steadyWindow(etcdPort, pids, seconds) {
  const before = await etcdMetrics(etcdPort);
  const cpu0 = pids.map((pid) => procUsage(pid)?.cpu ?? NaN);
  const w0 = Date.now();
  await sleep(seconds * 1000);
  const secs = (Date.now() - w0) / 1000;
  const after = await etcdMetrics(etcdPort);
  const cpu = pids.map((pid, i) => (((procUsage(pid)?.cpu ?? NaN) - cpu0[i]) / secs) * 100);
  const rss = pids.map((pid) => procUsage(pid)?.rssMb ?? NaN);
  return { before, after, secs, cpu, rss, rate: (k, digits = 1) => ((after[k] - before[k]) / secs).toFixed(digits) };
}
