#!/usr/bin/env node
// Where the emperor's time goes while it starts N `sleep infinity` vassals dropped into its
// directory at once (issue 15): time to the last `spawned` line, the emperor's user and system
// CPU, its RSS, and a CPU profile (`node --cpu-prof`) of that window only, by function and by file.
//   node bench/profile-spawn.js [N=1000] [--no-prof] [--top 30] [-- emperor args…]
// Profiling costs the emperor time of its own; the times without it (--no-prof) are the ones to quote.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { Emperor, REPO } from './lib/emperor.js';
import { mkdirp, now, sleep, waitFor } from './lib/util.js';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const emperorArgs = dash >= 0 ? argv.slice(dash + 1) : [];
const n = Number(own.find((a) => /^\d+$/.test(a)) ?? 1000);
const prof = !own.includes('--no-prof');
const top = own.includes('--top') ? Number(own[own.indexOf('--top') + 1]) : 40;
// --perf: `perf record -g` of the emperor over the same window (with --perf-basic-prof for JS names), into bench/.work.
const perf = own.includes('--perf');

const CLK_TCK = 100;
function cpu(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return { user: Number(f[11]) / CLK_TCK, sys: Number(f[12]) / CLK_TCK, rssMb: rssKb / 1024 };
}

const work = mkdirp(join(REPO, 'bench', '.work'));
const profDir = join(work, `profile-spawn-${n}-cpuprofile`);
rmSync(profDir, { recursive: true, force: true });
const e = new Emperor(work, `profile-spawn-${n}`);
const tStart = now();
await e.start({ args: emperorArgs, ...(prof ? { cpuProf: profDir } : {}), ...(perf ? { nodeArgs: ['--perf-basic-prof'] } : {}) });
const perfData = join(work, `profile-spawn-${n}.perf.data`);
const perfProc = perf ? spawn('perf', ['record', '-F', '999', '-g', '-o', perfData, '-p', String(e.pid)], { stdio: 'ignore' }) : null;
if (perfProc) await sleep(500);
const u0 = cpu(e.pid);
const t0 = now();
for (let i = 0; i < n; i++) writeFileSync(join(e.vassals, `s${String(i).padStart(5, '0')}.yml`), `# ${i}\nemperor:\n  command: [sleep, infinity]\n  env: { MARK: "0" }\n  stop-timeout: 5s\n`);
const writeMs = now() - t0;
const spawned = () => e.logs.reduce((k, l) => k + (l.event === 'spawned' ? 1 : 0), 0);
let firstAt = null;
await waitFor(
  () => {
    if (firstAt === null && spawned() > 0) firstAt = now();
    return spawned() >= n;
  },
  { timeout: 900_000, interval: 100, message: `${n} spawned` },
);
const tAll = now();
if (perfProc) {
  perfProc.kill('SIGINT');
  await new Promise((r) => perfProc.once('exit', r));
}
const u1 = cpu(e.pid);
const times = e.logs.filter((l) => l.event === 'spawned').map((l) => l.time);
const last = Math.max(...times);
const first = Math.min(...times);
// Spawn rate over time: how many `spawned` lines per second of the window (bursts or a steady rate?).
const perSecond = new Map();
for (const t of times) perSecond.set(Math.floor((t - t0) / 1000), (perSecond.get(Math.floor((t - t0) / 1000)) ?? 0) + 1);
await sleep(2000); // an idle gap before the stop, so that the stop's samples stay out of the window
const tStop = now();
await e.stop(600_000);
const stopMs = now() - tStop;

const out = [];
const say = (s) => {
  out.push(s);
  console.log(s);
};
say(`${n} vassals: files written in ${writeMs.toFixed(0)} ms; first spawned at +${(first - t0).toFixed(0)} ms, last at +${(last - t0).toFixed(0)} ms (${((last - t0) / n).toFixed(2)} ms per vassal)`);
say(`emperor CPU from the first file to the last spawn: user ${(u1.user - u0.user).toFixed(2)} s, system ${(u1.sys - u0.sys).toFixed(2)} s (${((1000 * (u1.user - u0.user + u1.sys - u0.sys)) / n).toFixed(2)} ms per vassal); RSS ${u0.rssMb.toFixed(0)} -> ${u1.rssMb.toFixed(0)} MB`);
say(`stopping the emperor (SIGTERM) took ${stopMs.toFixed(0)} ms`);
say(`spawned per second: ${[...perSecond].sort((a, b) => a[0] - b[0]).map(([s, k]) => `${s}:${k}`).join(' ')}`);

if (prof) {
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  const p = JSON.parse(readFileSync(join(profDir, file), 'utf8'));
  // The profile starts with the process (about when `start` was called): the window is the files'
  // first write to the last spawn, in the profile's own clock, give or take Node's start-up.
  const from = (t0 - tStart) * 1000;
  const to = (last - tStart) * 1000;
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const fn = new Map();
  const byFile = new Map();
  let t = 0;
  let busy = 0;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    if (t < from || t > to) continue;
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    total += dt;
    const cf = byId.get(p.samples[i]).callFrame;
    if (cf.functionName === '(idle)') continue;
    busy += dt;
    const url = cf.url ? relative(REPO, cf.url.replace(/^file:\/\//, '')) : '';
    const key = `${cf.functionName || '(anonymous)'} ${url}:${cf.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + dt);
    const where = url ? url.replace(/node_modules\/(@[^/]+\/)?([^/]+)\/.*/, 'node_modules/$1$2') : cf.functionName;
    byFile.set(where, (byFile.get(where) ?? 0) + dt);
  }
  say(`\nprofile window ${(total / 1000).toFixed(1)} s, busy ${(busy / 1000).toFixed(2)} s (${(busy / n).toFixed(2)} ms per vassal); (idle) ${((total - busy) / 1000).toFixed(2)} s`);
  say(`\nself time by file (ms, ms per vassal):`);
  for (const [k, v] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top)) say(`  ${v.toFixed(0).padStart(7)} ${(v / n).toFixed(3).padStart(7)}  ${k}`);
  say(`\nself time by function (ms, ms per vassal):`);
  for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) say(`  ${v.toFixed(0).padStart(7)} ${(v / n).toFixed(3).padStart(7)}  ${k}`);
  say(`\nprofile: ${join(profDir, file)}`);
}
if (perfProc) say(`perf data: ${perfData} (perf report -i ${perfData} --no-children --sort dso,sym)`);
writeFileSync(join(work, `profile-spawn-${n}.txt`), out.join('\n') + '\n');

process.exit(0); // endGroup's grace timer would keep the process alive until it fires
