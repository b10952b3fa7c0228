// 3. Crash: `kill -9` an instance that is ready and has served -> a new instance is exec'ed -> it
// answers, every manager at its defaults. One app per repetition, all started together and up
// about 1.5 s, then killed one after another. Then the same app killed again and again (the
// restart burst, then the backoff), and the emperor's crash loop: a vassal that dies before it
// is ready, whose successive respawn delays show the backoff growing.
import { Emperor, appVassal } from '../lib/emperor.js';
import { UwsgiEmperor, wsgiVassal } from '../lib/uwsgi.js';
import { Pm2, pm2App } from '../lib/pm2.js';
import { Supervisord, program } from '../lib/supervisor.js';
import { now, pollHttp, signal, sleep, stats, waitFor } from '../lib/util.js';

const S = 'Crash: kill -9 -> new instance';
// The uWSGI app can only report this one (its master's start time); the Node app reports both.
const CREATED = 'process created (/proc start time, 10 ms resolution)';

async function killAll(ctx, ports, target) {
  const exec = [];
  const created = [];
  const serve = [];
  for (const port of ports) {
    const cur = await pollHttp(port, () => true, { timeout: 20_000 });
    const victim = target(cur.json);
    const old = cur.json.pid;
    const t0 = now();
    signal(victim, 'SIGKILL');
    const r = await pollHttp(port, (j) => j.pid !== old, { timeout: 30_000 });
    exec.push(r.json.execAt - t0);
    created.push((r.json.createdAt ?? r.json.execAt) - t0);
    serve.push(r.at - t0);
    await sleep(100);
  }
  return { exec, created, serve };
}

// Up and serving about this long before the kill, as in the measurement.
const UP_MS = 1500;
// One instance killed this many times in a row: the emperor's burst (5) and then 1, 2, 4, 8, 16 s.
const KILLS_IN_A_ROW = 10;
const ageMs = () => UP_MS;

// Kill the instance behind `port` `times` times, each once it answers and has been up UP_MS.
async function killRepeatedly(port, target, times) {
  const exec = [];
  for (let k = 0; k < times; k++) {
    const cur = await pollHttp(port, () => true, { timeout: 120_000 });
    await sleep(UP_MS);
    const old = cur.json.pid;
    const t0 = now();
    signal(target(cur.json), 'SIGKILL');
    const r = await pollHttp(port, (j) => j.pid !== old, { timeout: 120_000 });
    // The process creation time: the only figure the uWSGI app reports, so peers compare like for like.
    exec.push((r.json.createdAt ?? r.json.execAt) - t0);
  }
  return exec;
}

// Per-kill figures as a table row each, so that the burst and the backoff are visible.
function recordKills(ctx, peer, exec) {
  ctx.record(S2, peer, `process created, kills 1-${Math.min(5, exec.length)}`, exec.slice(0, 5));
  if (exec.length > 5) ctx.record(S2, peer, `process created, kills 6-${exec.length}`, exec.slice(5));
  ctx.extra.push({ section: S2, md: `${peer}, process created after each kill (ms): ${exec.map((x) => x.toFixed(0)).join(', ')}` });
}

const S2 = `Crash: one instance killed ${KILLS_IN_A_ROW} times in a row, ${UP_MS / 1000} s after each answer`;

export async function crashEmperor(ctx) {
  const e = await ctx.own(new Emperor(ctx.work, 'crash-emperor')).start({ args: ctx.emperorArgs });
  let res;
  try {
    const ports = [];
    // One more app than repetitions: the last one is killed again and again.
    for (let i = 0; i <= ctx.reps; i++) {
      ports.push(ctx.port('emperor', 'crash', i));
      e.write(`c${i}`, appVassal({ port: ports[i] }));
    }
    for (const p of ports) await pollHttp(p, () => true, { timeout: 20_000 });
    await sleep(ageMs(ctx));
    res = await killAll(ctx, ports.slice(0, -1), (j) => j.pid);
    res.repeated = await killRepeatedly(ports.at(-1), (j) => j.pid, KILLS_IN_A_ROW);
  } finally {
    await e.stop();
  }
  const label = 'emperor (defaults)';
  ctx.record(S, label, 'exec', res.exec, { target: 'median <= 10 ms', check: (s) => s.median <= 10 });
  ctx.record(S, label, CREATED, res.created, { target: 'median <= the uWSGI Emperor\'s', check: (s) => !(s.median > (ctx.uwsgiCrashMedian ?? Infinity)) });
  ctx.record(S, label, 'first answer', res.serve);
  recordKills(ctx, label, res.repeated);
}

// A vassal that exits before it is ready: the emperor throttles it, the delay doubling from --throttle.
export async function crashLoopEmperor(ctx) {
  const e = await ctx.own(new Emperor(ctx.work, 'crash-loop-emperor')).start({ args: ctx.emperorArgs });
  const deaths = ctx.quick ? 4 : 6;
  let spawns;
  try {
    e.write('loop', ['emperor:', `  command: [${JSON.stringify(process.execPath)}, -e, "process.exit(1)"]`, '  ready: notify', ''].join('\n'));
    const spawned = () => e.logs.filter((l) => l.vassal === 'loop' && l.event === 'spawned');
    await waitFor(() => spawned().length >= deaths + 1, { timeout: 120_000, interval: 50, message: `${deaths + 1} spawns of the crash loop` });
    spawns = spawned().map((l) => l.time);
  } finally {
    await e.stop();
  }
  const gaps = spawns.slice(1, deaths + 1).map((t, i) => t - spawns[i]);
  ctx.record(S3, 'emperor (defaults)', 'spawn -> next spawn', gaps, { info: 'each gap is the instance\'s life (~50 ms) plus the respawn delay' });
  ctx.extra.push({ section: S3, md: `Successive spawn-to-spawn gaps (ms): ${gaps.map((x) => x.toFixed(0)).join(', ')} — the delay starts at --throttle (1 s) and doubles.` });
}

const S3 = 'Crash loop: an instance that exits before it is ready';

export async function crashUwsgi(ctx) {
  const u = await ctx.own(new UwsgiEmperor(ctx.work, 'crash-uwsgi')).start({});
  let res;
  try {
    const ports = [];
    // One more app than repetitions: the last one is killed again and again.
    for (let i = 0; i <= ctx.reps; i++) {
      ports.push(ctx.port('uwsgi', 'crash', i));
      u.write(`c${i}`, wsgiVassal({ port: ports[i] }));
    }
    for (const p of ports) await pollHttp(p, () => true, { timeout: 30_000 });
    await sleep(ageMs(ctx));
    res = await killAll(ctx, ports.slice(0, -1), (j) => j.master);
    res.repeated = await killRepeatedly(ports.at(-1), (j) => j.master, KILLS_IN_A_ROW);
  } finally {
    await u.stop();
  }
  ctx.uwsgiCrashMedian = stats(res.exec).median;
  recordKills(ctx, 'uWSGI Emperor (vassal master killed)', res.repeated);
  ctx.record(S, 'uWSGI Emperor (vassal master killed)', CREATED, res.exec);
  ctx.record(S, 'uWSGI Emperor (vassal master killed)', 'first answer', res.serve);
}

export async function crashPm2(ctx) {
  const p = await ctx.own(new Pm2(ctx.work, 'crash-pm2')).start();
  let res;
  try {
    const ports = [];
    const apps = [];
    // One more app than repetitions: the last one is killed again and again.
    for (let i = 0; i <= ctx.reps; i++) {
      ports.push(ctx.port('pm2', 'crash', i));
      apps.push(pm2App({ name: `c${i}`, port: ports[i] }));
    }
    await p.startApps('crash', apps);
    for (const port of ports) await pollHttp(port, () => true, { timeout: 30_000 });
    await sleep(ageMs(ctx));
    res = await killAll(ctx, ports.slice(0, -1), (j) => j.pid);
    res.repeated = await killRepeatedly(ports.at(-1), (j) => j.pid, KILLS_IN_A_ROW);
  } finally {
    await p.stop();
  }
  recordKills(ctx, 'PM2 (fork)', res.repeated);
  ctx.record(S, 'PM2 (fork)', 'exec', res.exec);
  ctx.record(S, 'PM2 (fork)', CREATED, res.created);
  ctx.record(S, 'PM2 (fork)', 'first answer', res.serve);
}

export async function crashSupervisord(ctx) {
  const s = await ctx.own(new Supervisord(ctx.work, 'crash-supervisord')).start();
  let res;
  try {
    const ports = [];
    // One more app than repetitions: the last one is killed again and again.
    for (let i = 0; i <= ctx.reps; i++) {
      ports.push(ctx.port('supervisord', 'crash', i));
      s.write(`c${i}`, program({ name: `c${i}`, port: ports[i] }));
    }
    await s.update();
    for (const port of ports) await pollHttp(port, () => true, { timeout: 30_000 });
    await sleep(ageMs(ctx));
    res = await killAll(ctx, ports.slice(0, -1), (j) => j.pid);
    res.repeated = await killRepeatedly(ports.at(-1), (j) => j.pid, KILLS_IN_A_ROW);
  } finally {
    await s.stop();
  }
  recordKills(ctx, 'supervisord', res.repeated);
  ctx.record(S, 'supervisord', 'exec', res.exec);
  ctx.record(S, 'supervisord', CREATED, res.created);
  ctx.record(S, 'supervisord', 'first answer', res.serve);
}
