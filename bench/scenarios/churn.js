// 5. Churn: 100 vassals, 50 touches per second -> every touch applied; the emperor's CPU.
import { Emperor, sleepVassal } from '../lib/emperor.js';
import { now, procUsage, sleep, waitFor } from '../lib/util.js';

const S = 'Churn: 100 vassals, 50 touches/s';

export async function churnEmperor(ctx) {
  const N = 100;
  const rate = 50;
  const seconds = ctx.quick ? 10 : 30;
  const e = await ctx.own(new Emperor(ctx.work, 'churn-emperor')).start({ args: ctx.emperorArgs });
  const names = Array.from({ length: N }, (_, i) => `ch${String(i).padStart(3, '0')}`);
  try {
    for (const n of names) e.write(n, sleepVassal(n));
    await waitFor(async () => (await e.list()).filter((v) => v.state === 'running').length === N, { timeout: 30_000, interval: 100, message: `${N} running` });
    await sleep(1000);
    const gen0 = new Map((await e.list()).map((v) => [v.name, v.generation]));
    const touches = new Map(names.map((n) => [n, 0]));
    const lastTouch = new Map();
    const times = new Map(names.map((n) => [n, []]));
    const u0 = procUsage(e.pid);
    const t0 = now();
    const logFrom = e.logs.length;
    const total = rate * seconds;
    let rnd = 12345;
    for (let k = 0; k < total; k++) {
      const due = t0 + (k * 1000) / rate;
      const wait = due - now();
      if (wait > 0) await sleep(wait);
      rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
      const n = names[rnd % N];
      e.touch(n);
      touches.set(n, touches.get(n) + 1);
      lastTouch.set(n, Date.now());
      times.get(n).push(now());
    }
    const tEnd = now();
    const u1 = procUsage(e.pid);
    // Let the emperor settle: every vassal running with one instance, no new log line for 1 s.
    let settledAt = null;
    await waitFor(async () => {
      const list = await e.list();
      const calm = list.every((v) => v.state === 'running' && v.instances.length === 1);
      const quiet = now() - (e.logs.at(-1)?.recvAt ?? 0) > 1000;
      if (calm && quiet) settledAt = now();
      return calm && quiet;
    }, { timeout: 30_000, interval: 100, message: 'churn settled' });
    const logs = e.logs.slice(logFrom);
    const changed = new Map();
    const lastSpawn = new Map();
    for (const l of logs) {
      if (l.event === 'changed') changed.set(l.vassal, (changed.get(l.vassal) ?? 0) + 1);
      if (l.event === 'spawned') lastSpawn.set(l.vassal, Math.max(lastSpawn.get(l.vassal) ?? 0, l.time));
    }
    const list = await e.list();
    let touched = 0;
    let changedN = 0;
    let notOnLast = 0;
    let genDelta = 0;
    const perVassalLost = [];
    for (const v of list) {
      const t = touches.get(v.name) ?? 0;
      const c = changed.get(v.name) ?? 0;
      touched += t;
      changedN += c;
      perVassalLost.push(t - c);
      genDelta += v.generation - (gen0.get(v.name) ?? v.generation);
      if (t > 0 && !((lastSpawn.get(v.name) ?? 0) >= lastTouch.get(v.name))) notOnLast += 1;
    }
    // Touches that came less than 50 ms after the previous touch of the same file (chokidar, which
    // the emperor watches with, drops a 'change' event within 50 ms of the previous one for a path).
    let close50 = 0;
    const notOnLastNames = [];
    for (const [n, ts] of times) for (let i = 1; i < ts.length; i++) if (ts[i] - ts[i - 1] < 50) close50 += 1;
    for (const v of list) if ((touches.get(v.name) ?? 0) > 0 && !((lastSpawn.get(v.name) ?? 0) >= lastTouch.get(v.name))) notOnLastNames.push(v.name);
    const cpuPct = (100 * (u1.cpu - u0.cpu)) / ((tEnd - t0) / 1000);
    const peer = 'emperor (stop-start, `sleep infinity`)';
    ctx.record(S, peer, 'touches made', [touched], { unit: 'touches' });
    ctx.record(S, peer, "'changed' events logged", [changedN], { unit: 'events' });
    ctx.record(S, peer, 'lost touches (touches − changed)', [touched - changedN], { unit: 'touches', target: '0 lost', check: () => touched - changedN === 0 });
    ctx.record(S, peer, 'vassals not reloaded after their last touch', [notOnLast], { unit: 'vassals', target: '0', check: () => notOnLast === 0 });
    ctx.record(S, peer, 'touches < 50 ms after the previous touch of the same file', [close50], { unit: 'touches' });
    ctx.record(S, peer, 'generations added (sum over vassals)', [genDelta], { unit: 'generations' });
    ctx.record(S, peer, `CPU during ${seconds} s of churn`, [cpuPct], { unit: '% of a core' });
    ctx.record(S, peer, 'RSS after churn', [procUsage(e.pid).rssMb], { unit: 'MB' });
    ctx.record(S, peer, 'settled after the last touch', [settledAt - tEnd - 1000], { unit: 'ms' });
    ctx.note(S, `${touched} touches in ${seconds} s to ${N} vassals chosen at random (seeded); a touch is "lost" when it produced no 'changed' event. Touches that land while the previous touch of the same file is still being loaded are coalesced by the emperor into one reload (by design), which this count shows as lost; "vassals not reloaded after their last touch" is the correctness check (a spawn logged at or after the vassal's last touch). Single run (n = 1).${notOnLastNames.length ? ` Vassals whose last touch was not applied: ${notOnLastNames.join(', ')}.` : ''}`);
  } finally {
    await e.stop();
  }
}
