// 4. Scale: many vassals dropped at once -> all running; the manager's RSS, fds, CPU; then its
// idle CPU with all of them running.
import { join } from 'node:path';
import { Emperor, sleepVassal } from '../lib/emperor.js';
import { UwsgiEmperor, minimalVassal } from '../lib/uwsgi.js';
import { Pm2 } from '../lib/pm2.js';
import { summarizeProfileDir } from '../lib/profile.js';
import { childrenOf, now, procUsage, sleep } from '../lib/util.js';

const S = 'Scale: many vassals at once';

// Samples CPU (% of one core, per second) and RSS of `pid` for `seconds`.
async function idle(pid, seconds) {
  const cpu = [];
  const rss = [];
  let prev = procUsage(pid);
  let tPrev = now();
  for (let i = 0; i < seconds; i++) {
    await sleep(1000);
    const u = procUsage(pid);
    const t = now();
    cpu.push((100 * (u.cpu - prev.cpu)) / ((t - tPrev) / 1000));
    rss.push(u.rssMb);
    prev = u;
    tPrev = t;
  }
  return { cpu, rss, mean: cpu.reduce((a, b) => a + b, 0) / cpu.length };
}

function recordSingle(ctx, peer, metric, value, unit, o = {}) {
  ctx.record(S, peer, metric, [value], { unit, ...o });
}

async function emperorScaleRun(ctx, N, idleS, cpuProf) {
  const e = await ctx.own(new Emperor(ctx.work, cpuProf ? 'scale-emperor-prof' : 'scale-emperor')).start({ args: ctx.emperorArgs, cpuProf });
  const r = { N };
  try {
    const u0 = procUsage(e.pid);
    const t0 = now();
    for (let i = 0; i < N; i++) e.write(`s${String(i).padStart(4, '0')}`, sleepVassal(i));
    r.writeMs = now() - t0;
    let firstAll = null;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const list = await e.list();
      const running = list.filter((v) => v.state === 'running' && v.pid).length;
      if (running >= N) {
        firstAll = now();
        break;
      }
      if (Date.now() > deadline) throw new Error(`only ${running}/${N} running after 120 s`);
      await sleep(100);
    }
    r.allMs = firstAll - t0;
    // When the emperor logged the last 'spawned' (it does not include our polling interval).
    const spawned = e.events(undefined, 'spawned').map((x) => x.time);
    r.lastSpawnMs = Math.max(...spawned) - t0;
    const u1 = procUsage(e.pid);
    r.cpuUp = u1.cpu - u0.cpu;
    r.rssUp = u1.rssMb;
    r.fds = u1.fds;
    await sleep(2000);
    r.idle = idleS > 0 ? await idle(e.pid, idleS) : null;
    r.rssIdle = procUsage(e.pid).rssMb;
    const ts = now();
    await e.stop(120_000);
    r.shutdownMs = now() - ts;
  } finally {
    await e.stop();
  }
  return r;
}

export async function scaleEmperor(ctx) {
  const N = Number(ctx.scaleN ?? 1000);
  const idleS = ctx.quick ? 5 : 60;
  const runs = ctx.quick ? 1 : ctx.reps;
  // Every run is a fresh emperor scaling up to N; the idle window is measured in the first only.
  const rs = [];
  for (let i = 0; i < runs; i++) rs.push(await emperorScaleRun(ctx, N, i === 0 ? idleS : 0, null));
  const first = rs[0];
  const col = (f) => rs.map(f);
  const peer = `emperor (${N} × \`sleep infinity\`)`;
  const okAll = rs.every((r) => r.allMs <= 10_000);
  const okRss = rs.every((r) => r.rssIdle <= 150);
  const okIdle = first.idle.mean <= 1;
  ctx.record(S, peer, 'all running (API poll, 100 ms)', col((r) => r.allMs), { unit: 'ms', target: `${N} running within 10 s`, check: () => okAll });
  ctx.record(S, peer, "last 'spawned' log line", col((r) => r.lastSpawnMs), { unit: 'ms', info: true });
  ctx.record(S, peer, 'CPU during scale-up', col((r) => r.cpuUp), { unit: 'CPU s' });
  ctx.record(S, peer, 'RSS with all running', col((r) => r.rssIdle), { unit: 'MB', target: 'RSS <= 150 MB', check: () => okRss });
  ctx.record(S, peer, 'open fds with all running', col((r) => r.fds), { unit: 'fds' });
  ctx.record(S, peer, `idle CPU, per-second samples over ${idleS} s`, first.idle.cpu, { unit: '% of a core' });
  recordSingle(ctx, peer, `idle CPU, mean over ${idleS} s`, first.idle.mean, '% of a core', { target: 'idle CPU <= 1% of a core', check: () => okIdle });
  ctx.record(S, peer, 'shutdown (SIGTERM -> exit, all stopped)', col((r) => r.shutdownMs), { unit: 'ms' });
  ctx.note(S, `The emperor's scale figures are over ${runs} scale-ups of ${N} vassals, each by a fresh emperor; its idle CPU is one ${idleS} s window (one sample per second) after the first. The emperor is polled through its API every 100 ms while it scales up; that polling is part of its CPU.`);
  if ((!okAll || !okRss || !okIdle) && ctx.profile && !ctx.quick) {
    ctx.log('scale target missed: profiling a second run with --cpu-prof');
    const dir = join(ctx.work, 'prof-scale');
    await emperorScaleRun(ctx, N, Math.min(idleS, 15), dir);
    const p = summarizeProfileDir(dir);
    if (p) ctx.extra.push({ section: S, md: `**Profile of a second scale run (\`node --cpu-prof\`, ${N} vassals, scale-up + 15 s idle + shutdown), because a target was missed.** ${p.md}` });
  }
}

export async function scaleUwsgi(ctx) {
  const N = Number(ctx.uwsgiScaleN ?? 200);
  const idleS = ctx.quick ? 5 : 60;
  const u = await ctx.own(new UwsgiEmperor(ctx.work, 'scale-uwsgi')).start({ freq: 1 });
  const peer = `uWSGI Emperor (--emperor-freq 1, ${N} minimal vassals)`;
  try {
    const u0 = procUsage(u.pid);
    const t0 = now();
    for (let i = 0; i < N; i++) u.write(`s${i}`, minimalVassal(u.sockDir, i));
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (childrenOf(u.pid).length >= N) break;
      if (Date.now() > deadline) throw new Error(`only ${childrenOf(u.pid).length}/${N} vassals after 180 s`);
      await sleep(100);
    }
    const all = now() - t0;
    const u1 = procUsage(u.pid);
    recordSingle(ctx, peer, 'all running (/proc poll, 100 ms)', all, 'ms');
    recordSingle(ctx, peer, 'CPU during scale-up', u1.cpu - u0.cpu, 'CPU s');
    await sleep(2000);
    const id = await idle(u.pid, idleS);
    const u2 = procUsage(u.pid);
    recordSingle(ctx, peer, 'RSS with all running', u2.rssMb, 'MB');
    recordSingle(ctx, peer, 'open fds with all running', u2.fds, 'fds');
    ctx.record(S, peer, `idle CPU, per-second samples over ${idleS} s`, id.cpu, { unit: '% of a core' });
    recordSingle(ctx, peer, `idle CPU, mean over ${idleS} s`, id.mean, '% of a core');
  } finally {
    await u.stop();
  }
  ctx.note(S, `uWSGI: ${N} vassals (not 1000), each a minimal uWSGI instance (one process, no app, a unix socket); "running" = the emperor has ${N} live child processes. Its RSS/CPU is the emperor process only.`);
}

export async function scalePm2(ctx) {
  const N = Number(ctx.pm2ScaleN ?? 200);
  const idleS = ctx.quick ? 5 : 60;
  const p = await ctx.own(new Pm2(ctx.work, 'scale-pm2')).start();
  const peer = `PM2 (fork, ${N} × \`sleep infinity\`)`;
  try {
    const apps = [];
    for (let i = 0; i < N; i++) apps.push({ name: `s${i}`, script: 'sleep', args: 'infinity', interpreter: 'none', exec_mode: 'fork', autorestart: true, out_file: '/dev/null', error_file: '/dev/null' });
    const u0 = procUsage(p.pid);
    const t0 = now();
    const started = p.startApps('scale', apps);
    const deadline = Date.now() + 300_000;
    for (;;) {
      if (childrenOf(p.pid).length >= N) break;
      if (Date.now() > deadline) throw new Error(`only ${childrenOf(p.pid).length}/${N} after 300 s`);
      await sleep(100);
    }
    const all = now() - t0;
    const cliMs = (await started).ms;
    const u1 = procUsage(p.pid);
    recordSingle(ctx, peer, 'all running (/proc poll, 100 ms)', all, 'ms');
    recordSingle(ctx, peer, '`pm2 start` command returned', cliMs, 'ms', { info: true });
    recordSingle(ctx, peer, 'CPU during scale-up', u1.cpu - u0.cpu, 'CPU s');
    await sleep(2000);
    const id = await idle(p.pid, idleS);
    const u2 = procUsage(p.pid);
    recordSingle(ctx, peer, 'RSS with all running', u2.rssMb, 'MB');
    recordSingle(ctx, peer, 'open fds with all running', u2.fds, 'fds');
    ctx.record(S, peer, `idle CPU, per-second samples over ${idleS} s`, id.cpu, { unit: '% of a core' });
    recordSingle(ctx, peer, `idle CPU, mean over ${idleS} s`, id.mean, '% of a core');
  } finally {
    await p.stop();
  }
  ctx.note(S, `PM2: capped at ${N} apps (one \`pm2 start\` of an ecosystem file with ${N} apps); "running" = the PM2 daemon has ${N} live children. RSS/CPU is the PM2 daemon (God) process only.`);
}
