// 6. Zero downtime: continuous HTTP load (autocannon, 127.0.0.1, bounded in time) through a
// reload, new-connection-per-request and keep-alive, against a baseline run with no event.
import http from 'node:http';
import autocannon from 'autocannon';
import { Emperor, appVassal } from '../lib/emperor.js';
import { UwsgiEmperor, wsgiVassal } from '../lib/uwsgi.js';
import { Pm2, pm2App } from '../lib/pm2.js';
import { now, pollHttp, sleep } from '../lib/util.js';

const S = 'Zero downtime: reload under load';
const MODES = [
  ['close', 'new connection per request'],
  ['keepalive', 'keep-alive'],
];
const CONNECTIONS = 8;
// Offered load, requests/s over all connections. New-connection-per-request is capped lower: at
// full speed it opens ~10k connections a second, and on loopback the server's TIME_WAIT sockets
// then collide with reused client ports (1 s SYN retransmits), which would measure the kernel, not
// the reload.
const RATE = { close: 500, keepalive: 2000 };
const LEAD_MS = 500; // load before the event
const TAIL_MS = 500; // load after the event is over
const BASE_MS = 1500; // length of a baseline run

// New connection per request: autocannon cannot do this faithfully (with `connection: close` it
// writes the next request on the closing connection and times it from there, which shows up as
// ~0.5-1 s "latencies"; its reconnectRate drops the responses it reconnects on). So this mode uses
// a small paced client of our own: CONNECTIONS loops, each one GET on a fresh connection at a time.
export function closeLoad(port, rate = RATE.close) {
  const lat = [];
  let errors = 0;
  let timeouts = 0;
  let non2xx = 0;
  let stop = false;
  const interval = (1000 * CONNECTIONS) / rate;
  const loop = async (k) => {
    let next = now() + (k * interval) / CONNECTIONS;
    while (!stop) {
      const wait = next - now();
      if (wait > 0) await sleep(wait);
      next += interval;
      const t0 = now();
      const r = await new Promise((resolve) => {
        const req = http.request({ host: '127.0.0.1', port, path: '/', agent: false, headers: { connection: 'close' }, timeout: 10_000 }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode }));
          res.on('error', () => resolve({ error: true }));
        });
        req.on('timeout', () => {
          req.destroy();
          resolve({ timeout: true });
        });
        req.on('error', () => resolve({ error: true }));
        req.end();
      });
      if (r.timeout) timeouts += 1;
      else if (r.error) errors += 1;
      else if (r.status < 200 || r.status > 299) non2xx += 1;
      else lat.push(now() - t0);
    }
  };
  const loops = Array.from({ length: CONNECTIONS }, (_, k) => loop(k));
  return {
    async stop() {
      stop = true;
      await Promise.all(loops);
      const v = lat.sort((a, b) => a - b);
      const q = (p) => (v.length ? v[Math.min(v.length - 1, Math.ceil(v.length * p) - 1)] : NaN);
      return { requests: v.length + errors + timeouts + non2xx, errors, timeouts, non2xx, p50: q(0.5), p99: q(0.99), max: v.at(-1) ?? NaN };
    },
  };
}

// Runs load on `port` for LEAD_MS, then `during()` (awaited), then TAIL_MS; or BASE_MS without an event.
async function underLoad(port, mode, during) {
  if (mode === 'close') {
    const load = closeLoad(port);
    let ev = null;
    if (during) {
      await sleep(LEAD_MS);
      ev = await during();
      await sleep(TAIL_MS);
    } else await sleep(BASE_MS);
    const r = await load.stop();
    return { ev, failed: r.errors + r.timeouts + r.non2xx, ...r };
  }
  let inst;
  const done = new Promise((resolve, reject) => {
    inst = autocannon(
      { url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, overallRate: RATE[mode], duration: 60, timeout: 10, headers: mode === 'close' ? { connection: 'close' } : {} },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
  });
  let ev = null;
  if (during) {
    await sleep(LEAD_MS);
    ev = await during();
    await sleep(TAIL_MS);
  } else {
    await sleep(BASE_MS);
  }
  inst.stop();
  const r = await done;
  return { ev, requests: r.requests.total, failed: r.errors + r.timeouts + r.non2xx, errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max };
}

function recordRuns(ctx, peer, what, runs, extra = {}) {
  ctx.record(S, peer, `${what}: requests`, runs.map((r) => r.requests), { unit: 'requests', noRatio: true });
  ctx.record(S, peer, `${what}: failed requests`, runs.map((r) => r.failed), { unit: 'requests', ...extra.failed });
  ctx.record(S, peer, `${what}: latency p50`, runs.map((r) => r.p50));
  ctx.record(S, peer, `${what}: latency p99`, runs.map((r) => r.p99), extra.p99);
  ctx.record(S, peer, `${what}: latency max`, runs.map((r) => r.max));
  if (runs[0]?.ev?.ms !== undefined) ctx.record(S, peer, `${what}: event duration`, runs.map((r) => r.ev.ms));
}

const zdReps = (ctx) => (ctx.quick ? 1 : ctx.reps);

function median(v) {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}

export async function zdEmperor(ctx) {
  const e = await ctx.own(new Emperor(ctx.work, 'zd-emperor')).start({ args: ctx.emperorArgs });
  const portO = ctx.port('emperor', 'zd', 0);
  const portD = ctx.port('emperor', 'zd', 1);
  const steps = new Map();
  const addStep = (k, v) => steps.set(k, [...(steps.get(k) ?? []), v]);
  try {
    e.write('zo', appVassal({ port: portO, reload: 'overlap' }));
    e.write('zd', appVassal({ port: portD, reload: 'dance', dance: true }));
    await pollHttp(portO, () => true, { timeout: 20_000 });
    await pollHttp(portD, () => true, { timeout: 20_000 });
    for (const [mode, label] of MODES) {
      const peer = `emperor, ${label}`;
      const base = [];
      for (let i = 0; i < zdReps(ctx); i++) base.push(await underLoad(portO, mode, null));
      recordRuns(ctx, peer, 'baseline', base);
      const baseP99 = median(base.map((r) => r.p99));
      const overlap = [];
      for (let i = 0; i < zdReps(ctx); i++) {
        overlap.push(
          await underLoad(portO, mode, async () => {
            const t0 = now();
            const done = e.waitEvent((x) => x.vassal === 'zo' && (x.event === 'reload-done' || x.event === 'reload-failed'), 30_000, 'reload-done');
            const r = await e.api('/vassals/zo/reload', 'POST');
            if (r.status >= 300) throw new Error(`POST reload: ${r.status} ${JSON.stringify(r.body)}`);
            const d = await done;
            if (d.event !== 'reload-done') throw new Error(`overlap reload failed: ${d.msg}`);
            return { ms: now() - t0 };
          }),
        );
        await sleep(200);
      }
      recordRuns(ctx, peer, 'overlap reload', overlap, { failed: { target: '0 failed', check: (s) => s.max === 0 } });
      const dance = [];
      for (let i = 0; i < zdReps(ctx); i++) {
        dance.push(
          await underLoad(portD, mode, async () => {
            const t0 = now();
            const from = e.logs.length;
            const done = e.waitEvent((x) => x.vassal === 'zd' && (x.event === 'dance-done' || x.event === 'dance-failed'), 60_000, 'dance-done');
            const r = await e.api('/vassals/zd/dance', 'POST');
            if (r.status >= 300) throw new Error(`POST dance: ${r.status} ${JSON.stringify(r.body)}`);
            const d = await done;
            if (d.event !== 'dance-done') throw new Error(`dance failed: ${d.msg}`);
            for (const l of e.logs.slice(from)) if (l.vassal === 'zd' && l.event === 'dance-step' && typeof l.durationMs === 'number') addStep(l.step ?? l.msg, l.durationMs);
            if (typeof d.durationMs === 'number') addStep('(whole dance, from dance-done)', d.durationMs);
            return { ms: now() - t0 };
          }),
        );
        await sleep(200);
      }
      recordRuns(ctx, peer, 'restart dance', dance, {
        failed: { target: '0 failed', check: (s) => s.max === 0 },
        p99: { target: `p99 <= 3 × baseline p99 (${(3 * baseP99).toFixed(1)} ms)`, check: (s) => s.median <= 3 * baseP99 },
      });
    }
  } finally {
    await e.stop();
  }
  if (steps.size) {
    const rows = [...steps].map(([k, v]) => {
      const s = [...v].sort((a, b) => a - b);
      const q = (p) => s[Math.min(s.length - 1, Math.round((s.length - 1) * p))];
      return `| ${k} | ${s.length} | ${s[0].toFixed(1)} | ${q(0.5).toFixed(1)} | ${q(0.95).toFixed(1)} | ${s.at(-1).toFixed(1)} |`;
    });
    ctx.extra.push({ section: S, md: ['The emperor\'s restart dance split into its steps (`dance-step` log events, `durationMs`; all dances of both load modes):', '', '| Step | n | min | median | p95 | max (ms) |', '|---|---|---|---|---|---|', ...rows].join('\n') });
  }
  ctx.note(S, `Load: ${CONNECTIONS} connections; keep-alive: autocannon at ${RATE.keepalive} requests/s; new connection per request: the bench's own paced client (each request a fresh connection with \`connection: close\`, ${RATE.close} requests/s; autocannon mis-times this mode, see scenarios/zero-downtime.js), ${LEAD_MS} ms before the event, until ${TAIL_MS} ms after it is over (baseline runs: ${BASE_MS} ms, no event). "failed" = errors + timeouts + non-2xx. The emperor's events are triggered through the control API (POST /vassals/NAME/reload and /dance) and are over at its reload-done / dance-done log line. The dance p99 target is checked on the median run's p99 against the median baseline p99.`);
}

export async function zdUwsgi(ctx) {
  const u = await ctx.own(new UwsgiEmperor(ctx.work, 'zd-uwsgi')).start({ freq: 1 });
  const port = ctx.port('uwsgi1', 'zd', 0);
  try {
    u.write('z', wsgiVassal({ port }));
    let cur = await pollHttp(port, () => true, { timeout: 20_000 });
    await sleep(1500);
    for (const [mode, label] of MODES) {
      const peer = `uWSGI Emperor (touch -> in-place reload, freq 1 s), ${label}`;
      const base = [];
      for (let i = 0; i < zdReps(ctx); i++) base.push(await underLoad(port, mode, null));
      recordRuns(ctx, peer, 'baseline', base);
      const runs = [];
      for (let i = 0; i < zdReps(ctx); i++) {
        runs.push(
          await underLoad(port, mode, async () => {
            const old = cur.json.pid;
            const t0 = now();
            u.touch('z');
            cur = await pollHttp(port, (j) => j.pid !== old, { timeout: 30_000, interval: 5 });
            return { ms: now() - t0 };
          }),
        );
        await sleep(300);
      }
      recordRuns(ctx, peer, 'overlap reload', runs);
    }
  } finally {
    await u.stop();
  }
  ctx.note(S, 'uWSGI: the vassal is touched and the event is over when a fresh connection gets an answer from the new worker; its duration includes up to 1 s of waiting for the emperor\'s next scan. Its row is under "overlap reload" so that it lines up with the emperor\'s overlap reload in the ratios (uWSGI has no overlap: it reloads in place, the master holding the socket). The vassal uses \`http-socket\` with one sync worker, which answers HTTP/1.0-style and closes every connection, so its "keep-alive" runs reconnect for each request too (\`http11-socket\` keeps connections open, but then one keep-alive client occupies the single sync worker and the graceful reload never completes under load).');
}

export async function zdPm2(ctx) {
  const p = await ctx.own(new Pm2(ctx.work, 'zd-pm2')).start();
  const port = ctx.port('pm2c', 'zd', 0);
  try {
    await p.startApps('z', [pm2App({ name: 'z', port, mode: 'cluster' })]);
    await pollHttp(port, () => true, { timeout: 20_000 });
    for (const [mode, label] of MODES) {
      const peer = `PM2 (\`pm2 reload\`, cluster, wait_ready), ${label}`;
      const base = [];
      for (let i = 0; i < zdReps(ctx); i++) base.push(await underLoad(port, mode, null));
      recordRuns(ctx, peer, 'baseline', base);
      const runs = [];
      for (let i = 0; i < zdReps(ctx); i++) {
        runs.push(
          await underLoad(port, mode, async () => {
            const t0 = now();
            const r = await p.cli('reload', 'z');
            if (r.code !== 0) throw new Error(`pm2 reload: ${r.stderr}`);
            return { ms: now() - t0 };
          }),
        );
        await sleep(300);
      }
      recordRuns(ctx, peer, 'overlap reload', runs);
    }
  } finally {
    await p.stop();
  }
  ctx.note(S, 'PM2: `pm2 reload z` (cluster mode, 1 instance, wait_ready with the app\'s process.send("ready")); the event is over when the command returns. Listed under "overlap reload" for the ratios.');
}
