// 2. Touch: touch (or edit) a running vassal's file -> the new generation answers.
import { Emperor, appVassal } from '../lib/emperor.js';
import { UwsgiEmperor, wsgiVassal } from '../lib/uwsgi.js';
import { Pm2, pm2App } from '../lib/pm2.js';
import { Supervisord, program } from '../lib/supervisor.js';
import { now, pollHttp, sleep } from '../lib/util.js';

const S = 'Touch: reload -> new generation answers';

export async function touchEmperor(ctx) {
  const e = await ctx.own(new Emperor(ctx.work, 'touch-emperor')).start({ args: ctx.emperorArgs });
  try {
    for (const reload of ['stop-start', 'overlap']) {
      const name = `t-${reload}`;
      const port = ctx.port('emperor', 'touch', reload === 'overlap' ? 1 : 0);
      e.write(name, appVassal({ port, reload }));
      let cur = await pollHttp(port);
      const exec = [];
      const serve = [];
      for (let i = 0; i < ctx.reps; i++) {
        await sleep(150);
        const old = cur.json.pid;
        const t0 = now();
        e.touch(name);
        cur = await pollHttp(port, (j) => j.pid !== old);
        exec.push(cur.json.execAt - t0);
        serve.push(cur.at - t0);
        // Let the old generation finish stopping before the next touch.
        await waitStopped(e, name);
      }
      ctx.record(S, `emperor (${reload})`, 'new generation answers', serve);
      ctx.record(S, `emperor (${reload})`, 'exec', exec);
      e.remove(name);
    }
  } finally {
    await e.stop();
  }
}

async function waitStopped(e, name) {
  for (let i = 0; i < 500; i++) {
    const s = (await e.api(`/vassals/${name}`)).body;
    if (s && s.state === 'running' && s.instances.length === 1) return;
    await sleep(10);
  }
}

export async function touchUwsgi(ctx, freq) {
  const label = freq ? `uWSGI Emperor (in-place, --emperor-freq ${freq})` : 'uWSGI Emperor (in-place, default freq 3 s)';
  const u = await ctx.own(new UwsgiEmperor(ctx.work, `touch-uwsgi${freq ?? ''}`)).start({ freq });
  const serve = [];
  try {
    const port = ctx.port(freq ? 'uwsgi1' : 'uwsgi', 'touch', 0);
    u.write('t', wsgiVassal({ port }));
    let cur = await pollHttp(port, () => true, { timeout: 20_000 });
    await sleep(1500);
    for (let i = 0; i < ctx.reps; i++) {
      const old = cur.json.pid;
      await sleep(300 + Math.random() * 200);
      const t0 = now();
      u.touch('t');
      cur = await pollHttp(port, (j) => j.pid !== old, { timeout: 20_000 });
      serve.push(cur.at - t0);
    }
  } finally {
    await u.stop();
  }
  ctx.record(S, label, 'new generation answers', serve, { note: 'new worker pid; the master re-execs in place' });
}

export async function touchPm2(ctx) {
  const p = await ctx.own(new Pm2(ctx.work, 'touch-pm2')).start();
  try {
    for (const [mode, cmd] of [
      ['fork', 'restart'],
      ['cluster', 'reload'],
    ]) {
      const name = `t-${mode}`;
      const port = ctx.port(mode === 'fork' ? 'pm2' : 'pm2c', 'touch', 0);
      await p.startApps(name, [pm2App({ name, port, mode })]);
      let cur = await pollHttp(port);
      const serve = [];
      const exec = [];
      for (let i = 0; i < ctx.reps; i++) {
        await sleep(150);
        const old = cur.json.pid;
        const t0 = now();
        const r = await p.cli(cmd, name);
        if (r.code !== 0) throw new Error(`pm2 ${cmd}: ${r.stderr}`);
        cur = await pollHttp(port, (j) => j.pid !== old);
        serve.push(cur.at - t0);
        exec.push(cur.json.execAt - t0);
      }
      ctx.record(S, `PM2 (\`pm2 ${cmd}\`, ${mode})`, 'new generation answers', serve);
      ctx.record(S, `PM2 (\`pm2 ${cmd}\`, ${mode})`, 'exec', exec);
      await p.cli('delete', name);
    }
  } finally {
    await p.stop();
  }
}

export async function touchSupervisord(ctx) {
  const s = await ctx.own(new Supervisord(ctx.work, 'touch-supervisord')).start();
  const serve = [];
  const exec = [];
  try {
    const port = ctx.port('supervisord', 'touch', 0);
    s.write('t', program({ name: 't', port, mark: 'm0' }));
    await s.update();
    let cur = await pollHttp(port);
    for (let i = 0; i < ctx.reps; i++) {
      await sleep(150);
      const old = cur.json.pid;
      const t0 = now();
      // supervisord ignores a bare touch: change the program (an env value) and apply it.
      s.write('t', program({ name: 't', port, mark: `m${i + 1}` }));
      await s.update();
      cur = await pollHttp(port, (j) => j.pid !== old);
      serve.push(cur.at - t0);
      exec.push(cur.json.execAt - t0);
    }
  } finally {
    await s.stop();
  }
  ctx.record(S, 'supervisord (edit + reread + update)', 'new generation answers', serve);
  ctx.record(S, 'supervisord (edit + reread + update)', 'exec', exec);
}
