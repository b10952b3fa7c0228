// 3. Crash: `kill -9` an instance with a healthy uptime -> a new instance is exec'ed -> it answers.
// One app per repetition, all started together and aged past the healthy uptime, then killed one
// after another (so the run does not wait the uptime once per repetition).
import { Emperor, appVassal } from '../lib/emperor.js';
import { UwsgiEmperor, wsgiVassal } from '../lib/uwsgi.js';
import { Pm2, pm2App } from '../lib/pm2.js';
import { Supervisord, program } from '../lib/supervisor.js';
import { now, pollHttp, signal, sleep } from '../lib/util.js';

const S = 'Crash: kill -9 -> new instance';

async function killAll(ctx, ports, target) {
  const exec = [];
  const serve = [];
  for (const port of ports) {
    const cur = await pollHttp(port, () => true, { timeout: 20_000 });
    const victim = target(cur.json);
    const old = cur.json.pid;
    const t0 = now();
    signal(victim, 'SIGKILL');
    const r = await pollHttp(port, (j) => j.pid !== old, { timeout: 30_000 });
    exec.push(r.json.execAt - t0);
    serve.push(r.at - t0);
    await sleep(100);
  }
  return { exec, serve };
}

function ageMs(ctx) {
  // Older than the emperor's healthy uptime (default 10 s; 1 s when --healthy-uptime 1s is passed).
  return ctx.healthyFlag ? 2500 : 11_000;
}

export async function crashEmperor(ctx) {
  const args = [...ctx.emperorArgs, ...(ctx.healthyFlag ? ['--healthy-uptime', '1s'] : [])];
  const e = await ctx.own(new Emperor(ctx.work, 'crash-emperor')).start({ args });
  let res;
  try {
    const ports = [];
    for (let i = 0; i < ctx.reps; i++) {
      ports.push(ctx.port('emperor', 'crash', i));
      e.write(`c${i}`, appVassal({ port: ports[i] }));
    }
    for (const p of ports) await pollHttp(p, () => true, { timeout: 20_000 });
    await sleep(ageMs(ctx));
    res = await killAll(ctx, ports, (j) => j.pid);
  } finally {
    await e.stop();
  }
  const label = `emperor${ctx.healthyFlag ? ' (--healthy-uptime 1s)' : ''}`;
  ctx.record(S, label, 'exec', res.exec, { target: 'median <= 10 ms', check: (s) => s.median <= 10 });
  ctx.record(S, label, 'first answer', res.serve);
}

export async function crashUwsgi(ctx) {
  const u = await ctx.own(new UwsgiEmperor(ctx.work, 'crash-uwsgi')).start({});
  let res;
  try {
    const ports = [];
    for (let i = 0; i < ctx.reps; i++) {
      ports.push(ctx.port('uwsgi', 'crash', i));
      u.write(`c${i}`, wsgiVassal({ port: ports[i] }));
    }
    for (const p of ports) await pollHttp(p, () => true, { timeout: 30_000 });
    await sleep(ageMs(ctx));
    res = await killAll(ctx, ports, (j) => j.master);
  } finally {
    await u.stop();
  }
  ctx.record(S, 'uWSGI Emperor (vassal master killed)', 'exec', res.exec, { note: '/proc start time, 10 ms resolution' });
  ctx.record(S, 'uWSGI Emperor (vassal master killed)', 'first answer', res.serve);
}

export async function crashPm2(ctx) {
  const p = await ctx.own(new Pm2(ctx.work, 'crash-pm2')).start();
  let res;
  try {
    const ports = [];
    const apps = [];
    for (let i = 0; i < ctx.reps; i++) {
      ports.push(ctx.port('pm2', 'crash', i));
      apps.push(pm2App({ name: `c${i}`, port: ports[i] }));
    }
    await p.startApps('crash', apps);
    for (const port of ports) await pollHttp(port, () => true, { timeout: 30_000 });
    await sleep(ageMs(ctx));
    res = await killAll(ctx, ports, (j) => j.pid);
  } finally {
    await p.stop();
  }
  ctx.record(S, 'PM2 (fork)', 'exec', res.exec);
  ctx.record(S, 'PM2 (fork)', 'first answer', res.serve);
}

export async function crashSupervisord(ctx) {
  const s = await ctx.own(new Supervisord(ctx.work, 'crash-supervisord')).start();
  let res;
  try {
    const ports = [];
    for (let i = 0; i < ctx.reps; i++) {
      ports.push(ctx.port('supervisord', 'crash', i));
      s.write(`c${i}`, program({ name: `c${i}`, port: ports[i] }));
    }
    await s.update();
    for (const port of ports) await pollHttp(port, () => true, { timeout: 30_000 });
    await sleep(ageMs(ctx));
    res = await killAll(ctx, ports, (j) => j.pid);
  } finally {
    await s.stop();
  }
  ctx.record(S, 'supervisord', 'exec', res.exec);
  ctx.record(S, 'supervisord', 'first answer', res.serve);
}
