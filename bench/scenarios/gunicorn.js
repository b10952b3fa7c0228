// 7. gunicorn restarts (today's Galaxy): the same preloaded gunicorn app, restarted under load
// with each method, side by side in one run:
//   (a) the emperor's restart dance, (b) the emperor's overlap reload, (c) `supervisorctl
//   restart`, which is what Gravity does for a single preloaded gunicorn, (d) `kill -HUP` to
//   gunicorn, Gravity's path without preload, (e) gunicorn's own USR2 re-exec (then TERM to the
//   old master), as a stand-alone reference.
// Each run: failed requests, p99 and max latency (new connection per request), and the time
// from the restart's start until an answer comes from the new code.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Emperor } from '../lib/emperor.js';
import { Supervisord } from '../lib/supervisor.js';
import { atomicWrite, endGroup, mkdirp, now, pollHttp, procUsage, signal, sleep, startGroup, waitFor } from '../lib/util.js';
import { closeLoad } from './zero-downtime.js';

const S = 'gunicorn restarts (today\'s Galaxy): app load 3 s, --preload';
const APPS = resolve(import.meta.dirname, '..', 'apps');
const GUNICORN = '/usr/bin/gunicorn';
const PYTHON = '/usr/bin/python3'; // the interpreter of Debian's gunicorn
const EMPEROR_GO = resolve(import.meta.dirname, '..', '..', 'contrib', 'emperor-go.py');
// What gunicorn imports before it loads the app: paid by the warm stand-in ahead of the dance.
const WARM_IMPORTS = ['gunicorn.app.wsgiapp', 'gunicorn.arbiter', 'gunicorn.workers.sync'];
const LOAD_S = 3;
const RATE = 200; // requests/s, a new connection each, 8 loops
const LEAD_MS = 1000;
const TAIL_MS = 1000;

const gunicornArgs = ({ preload = true, bind }) => [...(preload ? ['--preload'] : []), '--workers', '2', '--graceful-timeout', '10', '--chdir', APPS, ...(bind ? ['--bind', bind] : []), 'gunicorn_app:app'];

// Polls (a new connection every 10 ms) until the answer carries `version`; ms since t0.
async function newCodeAfter(port, version, t0) {
  await pollHttp(port, (j) => j.version === version, { timeout: 60_000, interval: 10 });
  return now() - t0;
}

// One restart under load: `restart(version)` starts it and resolves when it is over.
async function measure(port, versionFile, n, restart) {
  const version = `v${n}`;
  // Atomic: an app loading right now must never read a half-written file.
  atomicWrite(versionFile, `${version}\n`);
  const load = closeLoad(port, RATE);
  let stopped = false;
  try {
    await sleep(LEAD_MS);
    const t0 = now();
    const newCode = newCodeAfter(port, version, t0);
    newCode.catch(() => undefined); // awaited below; a failed restart must not leave it unhandled
    await restart(version);
    const eventMs = now() - t0;
    const newCodeMs = await newCode;
    await sleep(TAIL_MS);
    const r = await load.stop();
    stopped = true;
    return { failed: r.errors + r.timeouts + r.non2xx, requests: r.requests, p99: r.p99, max: r.max, eventMs, newCodeMs, t0 };
  } finally {
    // A failed restart must not leave the load running (it would keep the bench alive).
    if (!stopped) await load.stop();
  }
}

function record(ctx, peer, runs) {
  ctx.record(S, peer, 'failed requests', runs.map((r) => r.failed), { unit: 'requests', target: '0 failed', check: (s) => s.max === 0 });
  ctx.record(S, peer, 'requests', runs.map((r) => r.requests), { unit: 'requests', noRatio: true });
  ctx.record(S, peer, 'latency p99', runs.map((r) => r.p99));
  ctx.record(S, peer, 'latency max', runs.map((r) => r.max));
  ctx.record(S, peer, 'new code answers after', runs.map((r) => r.newCodeMs), { target: `<= app load + 200 ms (${LOAD_S * 1000 + 200} ms)`, check: (s) => s.median <= LOAD_S * 1000 + 200 });
  ctx.record(S, peer, 'restart over after', runs.map((r) => r.eventMs));
}

// `warm`: the extra row with `warm-standin: true`, the stand-in run through contrib/emperor-go.py
// with gunicorn's start-up imports done before the dance (not a default setting).
async function viaEmperor(ctx, reps, reload, warm = false) {
  const e = await ctx.own(new Emperor(ctx.work, `gunicorn-${reload}${warm ? '-warm' : ''}`)).start({ args: ctx.emperorArgs });
  const port = ctx.port('emperor', 'gunicorn', reload === 'dance' ? (warm ? 2 : 0) : 1);
  const versionFile = join(e.dir, 'version');
  writeFileSync(versionFile, 'v0\n');
  const argv = [GUNICORN, ...gunicornArgs({})].map((a) => JSON.stringify(a)).join(', ');
  const warmArgv = [PYTHON, EMPEROR_GO, ...WARM_IMPORTS.flatMap((m) => ['--import', m]), '-m', 'gunicorn', ...gunicornArgs({})].map((a) => JSON.stringify(a)).join(', ');
  e.write('gx', [
    'emperor:',
    `  command: [${argv}]`,
    `  env: { APP_LOAD_SECONDS: "${LOAD_S}", VERSION_FILE: ${JSON.stringify(versionFile)} }`,
    `  sockets: { http: "127.0.0.1:${port}" }`,
    '  ready: notify',
    `  reload: ${reload}`,
    ...(reload === 'dance' && !warm ? ['  standin: { env: { GALAXY_JOB_HANDLERS: "0" } }'] : []),
    ...(warm ? [`  standin: { command: [${warmArgv}], env: { GALAXY_JOB_HANDLERS: "0" } }`, '  warm-standin: true'] : []),
    '',
  ].join('\n'));
  const runs = [];
  const startups = [];
  const parts = [];
  try {
    await pollHttp(port, () => true, { timeout: 60_000 });
    for (let i = 1; i <= reps; i++) {
      const from = e.logs.length;
      const cpuBefore = procUsage(e.pid)?.cpu ?? NaN;
      runs.push(await measure(port, versionFile, i, async () => {
        const doneEvent = reload === 'dance' ? ['dance-done', 'dance-failed'] : ['reload-done', 'reload-failed'];
        const done = e.waitEvent((x) => x.vassal === 'gx' && doneEvent.includes(x.event), 120_000, doneEvent[0]);
        const r = await e.api(`/vassals/gx/${reload === 'dance' ? 'dance' : 'reload'}`, 'POST');
        if (r.status >= 300) throw new Error(`POST ${reload}: ${r.status} ${JSON.stringify(r.body)}`);
        const d = await done;
        if (d.event !== doneEvent[0]) throw new Error(`${reload} failed: ${d.msg}`);
      }));
      // The first new code comes from the stand-in (dance) or the new original (overlap): how
      // long gunicorn took from its spawn to its READY=1, the part of the figure that is gunicorn's.
      const first = e.logs.slice(from).find((l) => l.vassal === 'gx' && l.event === 'ready');
      if (typeof first?.durationMs === 'number') startups.push(first.durationMs);
      parts.push({ ...breakdown(e.logs.slice(from), runs.at(-1)), emperorCpuMs: ((procUsage(e.pid)?.cpu ?? NaN) - cpuBefore) * 1000 });
    }
  } finally {
    await e.stop();
  }
  const peer = reload === 'dance' ? (warm ? '(a+) emperor restart dance, warm stand-in (extra row: warm-standin: true)' : '(a) emperor restart dance') : '(b) emperor overlap reload';
  record(ctx, peer, runs);
  ctx.record(S, peer, 'first new instance: spawn to READY=1', startups);
  for (const [key, metric] of BREAKDOWN) ctx.record(S, peer, metric, parts.map((p) => p[key]), { noRatio: true });
}

// Where "new code answers after" goes, for the emperor's rows: each step's time from the
// emperor's log (the time it logged the event, or got the instance's line) and the poller.
const BREAKDOWN = [
  ['request', '  1a. request -> emperor has the command (the bench\'s HTTP client, loaded by its own 200 req/s, and the control socket)'],
  ['command', '  1b. command -> first new instance spawned (emperor: core step, fork+exec, journal, notify socket)'],
  ['exec', '  2. spawn -> app starts loading (exec, Python, gunicorn\'s imports)'],
  ['load', '  3. app load (APP_LOAD_SECONDS)'],
  ['notify', '  4. app loaded -> emperor has READY=1 (gunicorn, notify socket)'],
  ['serve', '  5. READY=1 -> new code answers (gunicorn forks and a new worker wins an accept)'],
  ['emperorCpuMs', 'emperor CPU during the restart (ms, utime+stime)'],
];

function breakdown(logs, run) {
  const gx = logs.filter((l) => l.vassal === 'gx');
  // The first new instance: spawned now, or (a warm stand-in) let go by the dance's first step.
  const spawned = gx.find((l) => l.event === 'spawned' || (l.event === 'dance-step' && typeof l.generation === 'number'));
  const gen = spawned?.generation;
  const line = (text) => gx.find((l) => l.generation === gen && l.msg === text && l.event === undefined);
  const at = {
    t0: run.t0,
    command: gx.find((l) => l.event === 'command')?.time,
    spawned: spawned?.time,
    loading: line('app: loading')?.time,
    loaded: line('app: loaded')?.time,
    ready: gx.find((l) => l.event === 'ready' && l.generation === gen)?.time,
    answers: run.t0 + run.newCodeMs,
  };
  const span = (a, b) => (typeof at[a] === 'number' && typeof at[b] === 'number' ? at[b] - at[a] : NaN);
  return { request: span('t0', 'command'), command: span('command', 'spawned'), exec: span('spawned', 'loading'), load: span('loading', 'loaded'), notify: span('loaded', 'ready'), serve: span('ready', 'answers') };
}

async function viaSupervisord(ctx, reps) {
  const s = await ctx.own(new Supervisord(ctx.work, 'gunicorn-supervisord')).start();
  const port = ctx.port('supervisord', 'gunicorn', 0);
  const versionFile = join(s.dir, 'version');
  writeFileSync(versionFile, 'v0\n');
  // Gravity's supervisor program for gunicorn, reduced to what matters here.
  s.write('gx', [
    '[program:gx]',
    `command=${GUNICORN} ${gunicornArgs({ bind: `127.0.0.1:${port}` }).join(' ')}`,
    `environment=APP_LOAD_SECONDS="${LOAD_S}",VERSION_FILE="${versionFile}"`,
    'autostart=true',
    'autorestart=true',
    'startsecs=1',
    'stopsignal=TERM',
    'stopwaitsecs=15',
    'stopasgroup=true',
    'killasgroup=true',
    'stdout_logfile=NONE',
    'stderr_logfile=NONE',
    '',
  ].join('\n'));
  const runs = [];
  try {
    await s.update();
    await pollHttp(port, () => true, { timeout: 60_000 });
    for (let i = 1; i <= reps; i++) {
      runs.push(await measure(port, versionFile, i, async () => {
        const r = await s.ctl('restart', 'gx');
        if (r.code !== 0) throw new Error(`supervisorctl restart: ${r.stdout}${r.stderr}`);
      }));
    }
  } finally {
    await s.stop();
  }
  record(ctx, '(c) supervisorctl restart (Gravity, preload)', runs);
}

// gunicorn on its own, in a process group of its own; `--pid` says which master is current.
async function standalone(ctx, reps, { preload, name, peer, restart }) {
  const dir = mkdirp(join(ctx.work, name));
  const port = ctx.port('supervisord', 'gunicorn', preload ? 1 : 2);
  const versionFile = join(dir, 'version');
  const pidFile = join(dir, 'gunicorn.pid');
  writeFileSync(versionFile, 'v0\n');
  const proc = startGroup(GUNICORN, [...gunicornArgs({ preload, bind: `127.0.0.1:${port}` }), '--pid', pidFile], { env: { APP_LOAD_SECONDS: String(LOAD_S), VERSION_FILE: versionFile } });
  const driver = ctx.own({ stop: () => endGroup(proc, 'SIGTERM', 20_000) });
  const runs = [];
  const spawnedAt = now();
  try {
    await pollHttp(port, () => true, { timeout: 60_000 });
    // The floor for every method: the same gunicorn started cold, until its first answer.
    if (preload) ctx.record(S, '(0) reference: a cold start of the same gunicorn', 'first answer after', [now() - spawnedAt]);
    // Without --preload each worker loads the app itself: let the last one finish first.
    await sleep(LOAD_S * 1000 + 1000);
    for (let i = 1; i <= reps; i++) runs.push(await measure(port, versionFile, i, (version) => restart({ port, pidFile, version })));
  } finally {
    await driver.stop();
  }
  record(ctx, peer, runs);
}

const masterPid = (pidFile) => Number(readFileSync(pidFile, 'utf8').trim());

// (d) HUP: gunicorn starts new workers (each loading the app: no preload) and stops the old ones.
async function hup({ port, pidFile, version }) {
  signal(masterPid(pidFile), 'SIGHUP');
  await newCodeAfter(port, version, now());
}

// (e) USR2 re-execs a new master beside the old one (it writes PIDFILE.2); once the new code
// answers, TERM the old one; the new master then promotes itself (renames PIDFILE.2 to PIDFILE).
async function usr2({ port, pidFile, version }) {
  const old = masterPid(pidFile);
  signal(old, 'SIGUSR2');
  await waitFor(() => existsSync(`${pidFile}.2`), { timeout: 30_000, interval: 10, message: 'new gunicorn master' });
  const fresh = masterPid(`${pidFile}.2`);
  await newCodeAfter(port, version, now());
  signal(old, 'SIGTERM');
  await waitFor(() => existsSync(pidFile) && masterPid(pidFile) === fresh, { timeout: 90_000, interval: 20, message: 'old gunicorn master gone, new one promoted' });
}

export async function gunicornRestarts(ctx) {
  if (!existsSync(GUNICORN)) {
    ctx.note(S, `${GUNICORN} is not installed (apt-get install -y gunicorn): skipped.`);
    return;
  }
  const reps = ctx.quick ? 2 : Math.min(ctx.reps, 5);
  // BENCH_GUNICORN=a,c runs some of the methods only.
  const pick = process.env.BENCH_GUNICORN?.split(',');
  const want = (m) => !pick || pick.includes(m);
  if (want('a')) await viaEmperor(ctx, reps, 'dance');
  if (want('a+')) await viaEmperor(ctx, reps, 'dance', true);
  if (want('b')) await viaEmperor(ctx, reps, 'overlap');
  if (want('c')) await viaSupervisord(ctx, reps);
  if (want('d')) await standalone(ctx, reps, { preload: false, name: 'gunicorn-hup', peer: '(d) kill -HUP (Gravity, no preload)', restart: hup });
  if (want('e')) await standalone(ctx, reps, { preload: true, name: 'gunicorn-usr2', peer: '(e) USR2 re-exec + TERM old master (stand-alone)', restart: usr2 });
  ctx.note(S, `The same app (bench/apps/gunicorn_app.py, Debian's gunicorn, 2 sync workers, --preload except in (d)) takes ${LOAD_S} s to load; each restart writes a new version that the app reads at load. Load: 8 loops, a new connection per request, ${RATE} requests/s, from ${LEAD_MS} ms before the restart until ${TAIL_MS} ms after the new code answered. "new code answers after": from the restart's start until a poll (a new connection every 10 ms) gets the new version. "restart over after": until the method says it is done (the emperor's dance-done / reload-done, supervisorctl's return, the new code answering for HUP, the old master's exit for USR2). ${ctx.quick ? 2 : 5} restarts per method.`);
}
