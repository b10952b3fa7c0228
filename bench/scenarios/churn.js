// 5. Churn: 100 vassals, 50 touches per second -> every touch applied; the emperor's CPU.
import { Emperor, sleepVassal } from '../lib/emperor.js';
import { now, procUsage, sleep, waitFor } from '../lib/util.js';

const S = 'Churn: 100 vassals, 50 touches/s';

// One round: `rate` touches per second for `seconds` to vassals chosen at random (seeded), then
// wait until the fleet has settled, and count what the emperor made of the touches.
async function churnRound(e, names, rate, seconds, seed) {
  await sleep(1000);
  const gen0 = new Map((await e.list()).map((v) => [v.name, v.generation]));
  const touches = new Map(names.map((n) => [n, 0]));
  const lastTouch = new Map();
  const times = new Map(names.map((n) => [n, []]));
  const u0 = procUsage(e.pid);
  const t0 = now();
  const logFrom = e.logs.length;
  let rnd = seed;
  for (let k = 0; k < rate * seconds; k++) {
    const wait = t0 + (k * 1000) / rate - now();
    if (wait > 0) await sleep(wait);
    rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
    const n = names[rnd % names.length];
    e.touch(n);
    touches.set(n, touches.get(n) + 1);
    lastTouch.set(n, Date.now());
    times.get(n).push(now());
  }
  const tEnd = now();
  const u1 = procUsage(e.pid);
  // Settled: every vassal running with one instance, and no new log line for 1 s.
  let settledAt = null;
  await waitFor(async () => {
    const list = await e.list();
    const calm = list.every((v) => v.state === 'running' && v.instances.length === 1);
    const quiet = now() - (e.logs.at(-1)?.recvAt ?? 0) > 1000;
    if (calm && quiet) settledAt = now();
    return calm && quiet;
  }, { timeout: 30_000, interval: 100, message: 'churn settled' });
  const changed = new Map();
  const lastSpawn = new Map();
  for (const l of e.logs.slice(logFrom)) {
    if (l.event === 'changed') changed.set(l.vassal, (changed.get(l.vassal) ?? 0) + 1);
    if (l.event === 'spawned') lastSpawn.set(l.vassal, Math.max(lastSpawn.get(l.vassal) ?? 0, l.time));
  }
  const r = { touched: 0, changed: 0, notOnLast: [], genDelta: 0, close50: 0 };
  for (const v of await e.list()) {
    const t = touches.get(v.name) ?? 0;
    r.touched += t;
    r.changed += changed.get(v.name) ?? 0;
    r.genDelta += v.generation - (gen0.get(v.name) ?? v.generation);
    if (t > 0 && !((lastSpawn.get(v.name) ?? 0) >= lastTouch.get(v.name))) r.notOnLast.push(v.name);
  }
  // Touches less than 50 ms after the previous touch of the same file: chokidar drops the
  // 'change' event of such a touch, and the emperor's re-check picks the file up again.
  for (const ts of times.values()) for (let i = 1; i < ts.length; i++) if (ts[i] - ts[i - 1] < 50) r.close50 += 1;
  r.cpuPct = (100 * (u1.cpu - u0.cpu)) / ((tEnd - t0) / 1000);
  r.rss = procUsage(e.pid).rssMb;
  r.settledMs = settledAt - tEnd - 1000;
  return r;
}

export async function churnEmperor(ctx) {
  const N = 100;
  const rate = 50;
  const seconds = ctx.quick ? 5 : 30;
  const rounds = ctx.quick ? 1 : ctx.reps;
  const e = await ctx.own(new Emperor(ctx.work, 'churn-emperor')).start({ args: ctx.emperorArgs });
  const names = Array.from({ length: N }, (_, i) => `ch${String(i).padStart(3, '0')}`);
  try {
    for (const n of names) e.write(n, sleepVassal(n));
    await waitFor(async () => (await e.list()).filter((v) => v.state === 'running').length === N, { timeout: 30_000, interval: 100, message: `${N} running` });
    const rs = [];
    for (let i = 0; i < rounds; i++) rs.push(await churnRound(e, names, rate, seconds, 12345 + i));
    const col = (f) => rs.map(f);
    const lost = col((r) => r.touched - r.changed);
    const notOnLast = col((r) => r.notOnLast.length);
    const peer = 'emperor (stop-start, `sleep infinity`)';
    ctx.record(S, peer, 'touches made', col((r) => r.touched), { unit: 'touches' });
    ctx.record(S, peer, "'changed' events logged", col((r) => r.changed), { unit: 'events' });
    ctx.record(S, peer, 'lost touches (touches − changed)', lost, { unit: 'touches', target: '0 lost', check: () => lost.every((x) => x === 0) });
    ctx.record(S, peer, 'vassals not reloaded after their last touch', notOnLast, { unit: 'vassals', target: '0', check: () => notOnLast.every((x) => x === 0) });
    ctx.record(S, peer, 'touches < 50 ms after the previous touch of the same file', col((r) => r.close50), { unit: 'touches' });
    ctx.record(S, peer, 'generations added (sum over vassals)', col((r) => r.genDelta), { unit: 'generations' });
    ctx.record(S, peer, `CPU during ${seconds} s of churn`, col((r) => r.cpuPct), { unit: '% of a core' });
    ctx.record(S, peer, 'RSS after churn', col((r) => r.rss), { unit: 'MB' });
    ctx.record(S, peer, 'settled after the last touch', col((r) => r.settledMs), { unit: 'ms' });
    const behind = [...new Set(rs.flatMap((r) => r.notOnLast))];
    ctx.note(S, `${rounds} rounds of ${rate * seconds} touches in ${seconds} s to ${N} vassals chosen at random (each round seeded differently), on one fleet; a touch is "lost" when it produced no 'changed' event. Touches that land while the previous touch of the same file is still being loaded are coalesced by the emperor into one reload (by design), which this count shows as lost; "vassals not reloaded after their last touch" is the correctness check (a spawn logged at or after the vassal's last touch).${behind.length ? ` Vassals whose last touch was not applied: ${behind.join(', ')}.` : ''}`);
  } finally {
    await e.stop();
  }
}
