#!/usr/bin/env node
// The emperor's benchmark: measures the emperor and, in the same run on the same machine, the
// uWSGI Emperor, PM2 and supervisord doing the same work, and writes bench/RESULTS.md.
//   npm run bench                 full run (~20 min)
//   npm run bench -- --quick      ~1-2 min, fewer repetitions (said so in RESULTS.md)
//   npm run bench -- --only drop,crash   some scenarios only
//   npm run bench -- --out FILE   write the report elsewhere
//   npm run bench -- --only scale:ladder --merge   replace only the sections this run measures in the existing report
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { emperorHelp, emperorVersion } from './lib/emperor.js';
import { PM2_BIN, pm2Version } from './lib/pm2.js';
import { supervisordVersion } from './lib/supervisor.js';
import { uwsgiVersion } from './lib/uwsgi.js';
import { mkdirp, stats } from './lib/util.js';
import { render } from './lib/report.js';
import * as drop from './scenarios/drop.js';
import * as touch from './scenarios/touch.js';
import * as crash from './scenarios/crash.js';
import * as scale from "./scenarios/scale.js";
import * as churn from './scenarios/churn.js';
import * as zd from './scenarios/zero-downtime.js';
import * as logs from './scenarios/logs.js';
import * as gunicorn from './scenarios/gunicorn.js';

const HERE = import.meta.dirname;
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = opt('--only')?.split(',');
const out = resolve(opt("--out") ?? join(HERE, quick ? "RESULTS-quick.md" : "RESULTS.md"));
const profile = !argv.includes('--no-profile');
const merge = argv.includes('--merge');

const PEER_BASE = { emperor: 20000, uwsgi: 22000, uwsgi1: 24000, pm2: 26000, pm2c: 28000, supervisord: 30000, shell: 12000 };
const SCEN_OFF = { drop: 0, touch: 200, crash: 400, zd: 600, gunicorn: 800, scale: 1000 };

const owned = new Set();
const ctx = {
  quick,
  reps: Number(opt('--reps') ?? (quick ? 3 : 20)),
  // Scale: how many Node apps side by side, and the emperor's ladder of fleet sizes (comma list).
  scaleApps: opt('--scale-apps'),
  scaleLadder: opt('--scale-ladder'),
  work: mkdirp(join(HERE, '.work')),
  profile,
  emperorArgs: [],
  rows: [],
  notes: [],
  extra: [],
  port: (peer, scen, i) => PEER_BASE[peer] + SCEN_OFF[scen] + i,
  record(section, peer, metric, values, o = {}) {
    const s = stats(values);
    ctx.rows.push({ section, peer, metric, stats: s, unit: o.unit ?? 'ms', target: o.target, met: o.check ? o.check(s) : undefined, note: o.note, info: o.info, raw: values });
    log(`  ${section} | ${peer} | ${metric}: n=${s.n} min ${s.min?.toFixed?.(1)} med ${s.median?.toFixed?.(1)} p95 ${s.p95?.toFixed?.(1)} max ${s.max?.toFixed?.(1)} ${o.unit ?? 'ms'}`);
  },
  note: (section, text) => ctx.notes.push({ section, text }),
  own(driver) {
    owned.add(driver);
    const stop = driver.stop.bind(driver);
    driver.stop = async (...a) => {
      owned.delete(driver);
      return stop(...a);
    };
    return driver;
  },
};
export function log(...a) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`);
}
ctx.log = log;

async function cleanupAll() {
  for (const d of [...owned]) {
    try {
      await d.stop();
    } catch (err) {
      log(`cleanup: ${err.message}`);
    }
  }
}
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${sig}: ending every process the bench started`);
    await cleanupAll();
    process.exit(130);
  });
}

function sh(cmd) {
  try {
    return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '?';
  }
}

const plan = [
  ['drop', 'emperor', (c) => drop.dropEmperor(c, true)],
  ['drop', 'emperor-nosock', (c) => drop.dropEmperor(c, false)],
  ['drop', 'uwsgi', (c) => drop.dropUwsgi(c, null)],
  ['drop', 'uwsgi1', (c) => drop.dropUwsgi(c, 1)],
  ['drop', 'pm2', (c) => drop.dropPm2(c)],
  ['drop', 'supervisord', (c) => drop.dropSupervisord(c)],
  ['touch', 'emperor', (c) => touch.touchEmperor(c)],
  ['touch', 'uwsgi', (c) => touch.touchUwsgi(c, null)],
  ['touch', 'uwsgi1', (c) => touch.touchUwsgi(c, 1)],
  ['touch', 'pm2', (c) => touch.touchPm2(c)],
  ['touch', 'supervisord', (c) => touch.touchSupervisord(c)],
  // uWSGI first: the emperor's target is to be no slower than it, in the same run.
  ['crash', 'uwsgi', (c) => crash.crashUwsgi(c)],
  ['crash', 'emperor', (c) => crash.crashEmperor(c)],
  ['crash', 'emperor-loop', (c) => crash.crashLoopEmperor(c)],
  ['crash', 'pm2', (c) => crash.crashPm2(c)],
  ['crash', 'supervisord', (c) => crash.crashSupervisord(c)],
  ['scale', 'shell', (c) => scale.appsShell(c)],
  ['scale', 'emperor', (c) => scale.appsEmperor(c)],
  ['scale', 'uwsgi', (c) => scale.appsUwsgi(c)],
  ['scale', 'supervisord', (c) => scale.appsSupervisord(c)],
  ['scale', 'pm2', (c) => scale.appsPm2(c)],
  ['scale', 'ladder', (c) => scale.ladder(c)],
  ['scale', 'storm', (c) => scale.storm(c)],
  ['churn', 'emperor', (c) => churn.churnEmperor(c)],
  ['zd', 'emperor', (c) => zd.zdEmperor(c)],
  ['zd', 'uwsgi', (c) => zd.zdUwsgi(c)],
  ['zd', 'pm2', (c) => zd.zdPm2(c)],
  // Peers first: the emperor's log rows are checked against the best of them.
  ['logs', 'supervisord', (c) => logs.logsSupervisord(c)],
  ['logs', 'pm2', (c) => logs.logsPm2(c)],
  ['logs', 'emperor', (c) => logs.logsEmperor(c)],
  ['logs', 'emperor-plain', (c) => logs.logsEmperor(c, 'plain')],
  ['gunicorn', 'all', (c) => gunicorn.gunicornRestarts(c)],
];

async function main() {
  const started = new Date();
  const t0 = Date.now();
  let emperorOk = true;
  try {
    await emperorHelp();
  } catch (err) {
    log(`the emperor CLI does not run (emperor parts will fail): ${err.message}`);
    emperorOk = false;
  }
  // The gunicorn scenario needs only supervisord (and gunicorn) among the peers.
  const needsPm2AndUwsgi = !only || only.some((s) => !s.startsWith('gunicorn'));
  if ((needsPm2AndUwsgi && (!existsSync(PM2_BIN) || sh('command -v uwsgi') === '?')) || sh('command -v supervisord') === '?') {
    log('peers missing: run `sudo bench/setup` first');
    process.exit(2);
  }
  const meta = {
    date: started.toISOString(),
    command: `npm run bench${argv.length ? ' -- ' + argv.join(' ') : ''}`,
    nproc: sh('nproc'),
    cpu: os.cpus()[0]?.model ?? '?',
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: sh('uname -sr'),
    node: process.version,
    os: sh('. /etc/os-release && echo "$PRETTY_NAME"'),
    emperor: `${emperorVersion()} (${sh('git -C ' + JSON.stringify(join(HERE, '..')) + ' rev-parse --short HEAD')}${sh('git -C ' + JSON.stringify(join(HERE, '..')) + ' status --porcelain -- src | head -1') ? ', src/ has uncommitted changes' : ''})`,
    uwsgi: await uwsgiVersion(),
    pm2: existsSync(PM2_BIN) ? pm2Version() : 'not installed',
    supervisord: await supervisordVersion(),
    quick,
    reps: ctx.reps,
  };
  log(`bench: ${quick ? 'quick' : 'full'} run, ${ctx.reps} repetitions per figure`);
  const failures = [];
  for (const [scen, peer, fn] of plan) {
    if (only && !only.includes(scen) && !only.includes(`${scen}:${peer}`)) continue;
    // --quick: uWSGI at its default 3 s scan interval only adds waiting; --emperor-freq 1 stays.
    if (quick && !only && peer === 'uwsgi' && (scen === 'drop' || scen === 'touch')) continue;
    if (interrupted) break;
    log(`== ${scen} / ${peer}`);
    try {
      await fn(ctx);
    } catch (err) {
      log(`!! ${scen}/${peer} failed: ${err.stack}`);
      failures.push({ scen, peer, error: err.message });
    } finally {
      await cleanupAll();
    }
  }
  meta.durationS = Math.round((Date.now() - t0) / 1000);
  if (merge) mergeEarlier(out, meta, [...new Set(plan.map(([scen]) => scen).filter((scen) => !only || only.some((o) => o.split(':')[0] === scen)))]);
  // The figures first: a fault in the renderer must not lose a run's measurements.
  writeFileSync(out.replace(/\.md$/, '.json'), JSON.stringify({ meta, rows: ctx.rows.map(({ raw, ...r }) => ({ ...r, raw })), notes: ctx.notes, extra: ctx.extra, failures }, null, 1));
  writeFileSync(out, render(meta, ctx, failures));
  log(`wrote ${out} (${meta.durationS} s)`);
}

// Keeps the earlier report's sections that this run did not measure again (--merge): one
// scenario, or one part of it (`--only scale:ladder`), can be re-measured without a full run.
// A section is replaced when this run wrote into it, so a part leaves its siblings' sections as
// they were. The report says which scenarios were re-run when.
function mergeEarlier(out, meta, ran) {
  const jsonPath = out.replace(/\.md$/, '.json');
  if (!existsSync(jsonPath)) return;
  const old = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const fresh = new Set([...ctx.rows, ...ctx.notes, ...ctx.extra].map((x) => x.section));
  const replaced = (section) => fresh.has(section);
  ctx.rows.unshift(...old.rows.filter((r) => !replaced(r.section)));
  ctx.notes.unshift(...old.notes.filter((n) => !replaced(n.section)));
  ctx.extra.unshift(...old.extra.filter((e) => !replaced(e.section)));
  meta.command = `${old.meta.command} (${old.meta.date}); then ${meta.command} (${meta.date}) replaced: ${ran.join(', ')}`;
}

main().catch(async (err) => {
  log(err.stack);
  await cleanupAll();
  process.exit(1);
});
