// 1. Drop: a new vassal/app appears -> its instance is exec'ed -> it serves its first answer.
import { Emperor, appVassal } from '../lib/emperor.js';
import { UwsgiEmperor, wsgiVassal } from '../lib/uwsgi.js';
import { Pm2, pm2App } from '../lib/pm2.js';
import { Supervisord, program } from '../lib/supervisor.js';
import { now, pollHttp, sleep } from '../lib/util.js';

const S = 'Drop: new file -> instance';

export async function dropEmperor(ctx, held = true) {
  const e = await ctx.own(new Emperor(ctx.work, held ? 'drop-emperor' : 'drop-emperor-nosock')).start({ args: ctx.emperorArgs });
  const exec = [];
  const serve = [];
  const seen = [];
  const loaded = [];
  const heldAt = [];
  try {
    for (let i = 0; i < ctx.reps; i++) {
      const name = `drop${i}`;
      const port = ctx.port('emperor', 'drop', i + (held ? 0 : 100));
      const spawned = e.waitEvent((r) => r.vassal === name && r.event === 'spawned', 15_000, `${name} spawned`);
      const t0 = now();
      e.write(name, appVassal({ port, held }));
      const r = await pollHttp(port);
      exec.push(r.json.execAt - t0);
      serve.push(r.at - t0);
      seen.push((await spawned).time - t0);
      const ev = (k) => e.events(name, k)[0]?.time - t0;
      loaded.push(ev('loaded'));
      heldAt.push(ev('sockets'));
      const gone = e.waitEvent((x) => x.vassal === name && x.event === 'exited', 15_000, `${name} exited`);
      e.remove(name);
      await gone;
      await sleep(50);
    }
  } finally {
    await e.stop();
  }
  const peer = held ? 'emperor (held socket)' : 'emperor (no held socket: the app binds its port)';
  ctx.record(S, peer, 'exec', exec, { target: 'median <= 20 ms, p95 <= 50 ms', check: (s) => s.median <= 20 && s.p95 <= 50 });
  ctx.record(S, peer, 'first answer', serve);
  ctx.record(S, peer, "(inside) 'loaded' logged (file seen and parsed)", loaded, { info: true, note: 'emperor log time, 1 ms resolution' });
  if (held) ctx.record(S, peer, "(inside) 'sockets' logged (socket bound)", heldAt, { info: true });
  ctx.record(S, peer, "(inside) 'spawned' logged", seen, { info: true });
}

export async function dropUwsgi(ctx, freq) {
  const label = freq ? `uWSGI Emperor (--emperor-freq ${freq})` : 'uWSGI Emperor (default freq 3 s)';
  const u = await ctx.own(new UwsgiEmperor(ctx.work, `drop-uwsgi${freq ?? ''}`)).start({ freq });
  const exec = [];
  const serve = [];
  try {
    for (let i = 0; i < ctx.reps; i++) {
      const name = `drop${i}`;
      const port = ctx.port(freq ? 'uwsgi1' : 'uwsgi', 'drop', i);
      const t0 = now();
      u.write(name, wsgiVassal({ port }));
      const r = await pollHttp(port, () => true, { timeout: 20_000 });
      exec.push(r.json.execAt - t0);
      serve.push(r.at - t0);
      u.remove(name);
      await sleep(300 + Math.random() * 200); // de-phase the next drop from the scan period
    }
  } finally {
    await u.stop();
  }
  ctx.record(S, label, 'exec', exec, { note: 'exec time from /proc start time (10 ms resolution)' });
  ctx.record(S, label, 'first answer', serve);
}

export async function dropPm2(ctx) {
  const p = await ctx.own(new Pm2(ctx.work, 'drop-pm2')).start();
  const exec = [];
  const serve = [];
  try {
    for (let i = 0; i < ctx.reps; i++) {
      const name = `drop${i}`;
      const port = ctx.port('pm2', 'drop', i);
      const t0 = now();
      await p.startApps(name, [pm2App({ name, port })]);
      const r = await pollHttp(port);
      exec.push(r.json.execAt - t0);
      serve.push(r.at - t0);
      await p.cli('delete', name);
    }
  } finally {
    await p.stop();
  }
  const label = 'PM2 (`pm2 start app.json`, fork)';
  ctx.record(S, label, 'exec', exec);
  ctx.record(S, label, 'first answer', serve);
}

export async function dropSupervisord(ctx) {
  const s = await ctx.own(new Supervisord(ctx.work, 'drop-supervisord')).start();
  const exec = [];
  const serve = [];
  try {
    for (let i = 0; i < ctx.reps; i++) {
      const name = `drop${i}`;
      const port = ctx.port('supervisord', 'drop', i);
      const t0 = now();
      s.write(name, program({ name, port }));
      await s.update();
      const r = await pollHttp(port);
      exec.push(r.json.execAt - t0);
      serve.push(r.at - t0);
      s.remove(name);
      await s.update();
    }
  } finally {
    await s.stop();
  }
  const label = 'supervisord (write + reread + update)';
  ctx.record(S, label, 'exec', exec);
  ctx.record(S, label, 'first answer', serve);
}
