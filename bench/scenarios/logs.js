// 7. Log throughput: one app writes LINES 100-byte lines to stdout as fast as it can; each manager
// captures them to a file (the emperor: `logto`, default log-format timestamped and plain, no
// rotation; supervisord: `stdout_logfile`; PM2: its `out_file`, what `pm2 logs` reads). Measured:
// lines per second from the app's first write until "flood done" is in the file, and the
// manager's own CPU (utime + stime of its process, all threads, over the same window) per line.
// Three runs per peer (one with --quick), one peer after another, the peers first: each emperor
// row's target is the best peer's median in the same run (at least its lines/s, at most its CPU
// per line).
import { existsSync, openSync, readSync, closeSync, statSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Emperor } from '../lib/emperor.js';
import { Pm2 } from '../lib/pm2.js';
import { Supervisord } from '../lib/supervisor.js';
import { procUsage, waitFor } from '../lib/util.js';

const S = 'Log throughput: 100-byte lines from stdout to a file';
const APP = resolve(import.meta.dirname, '..', 'apps', 'log-flood.cjs');
const LAST = 'flood done';

function lines(ctx) {
  return Number(process.env.BENCH_LOG_LINES) || (ctx.quick ? 200_000 : 1_000_000);
}

// True when the file ends with the app's last line (any prefix the manager adds before it).
function endsWithLast(file) {
  if (!existsSync(file)) return false;
  const size = statSync(file).size;
  if (size === 0) return false;
  const fd = openSync(file, 'r');
  try {
    const len = Math.min(256, size);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf.toString('utf8').trimEnd().endsWith(LAST);
  } finally {
    closeSync(fd);
  }
}

// How many floods per peer: one run each varied by 15% or more on this 2-core machine.
function reps(ctx) {
  return ctx.quick ? 1 : 3;
}

// Waits for the app's times and the last line in the file; returns lines/s and CPU ms per 1000 lines.
async function measure(peer, managerPid, file, times, n) {
  const cpu0 = procUsage(managerPid)?.cpu ?? NaN;
  await waitFor(() => endsWithLast(file), { timeout: 600_000, interval: 20, message: `${peer}: the last line in ${file}` });
  const doneAt = Date.now();
  const cpu1 = procUsage(managerPid)?.cpu ?? NaN;
  await waitFor(() => existsSync(times), { timeout: 10_000, message: `${peer}: the app's times` });
  const t = JSON.parse(readFileSync(times, 'utf8'));
  const seconds = (doneAt - t.start) / 1000;
  return { perSecond: n / seconds, cpuMsPerKLine: ((cpu1 - cpu0) * 1000 * 1000) / n, seconds, appSeconds: (t.end - t.start) / 1000, cpuSeconds: cpu1 - cpu0 };
}

// The peer's rows; the peers run first, so each emperor row is checked against the best of them.
function record(ctx, peer, n, runs) {
  const emperor = peer.startsWith('emperor');
  const best = (metric, pick) => {
    const theirs = ctx.rows.filter((r) => r.section === S && r.metric === metric && !r.peer.startsWith('emperor') && r.stats.n > 0);
    return theirs.length ? theirs.reduce((a, r) => (pick(r.stats.median, a.stats.median) ? r : a)) : null;
  };
  const fast = emperor ? best('lines/s', (x, y) => x > y) : null;
  const lean = emperor ? best('manager CPU per 1000 lines', (x, y) => x < y) : null;
  const list = (key, digits) => runs.map((r) => r[key].toFixed(digits)).join(', ');
  const median = (key) => runs.map((r) => r[key]).sort((x, y) => x - y)[Math.floor(runs.length / 2)];
  ctx.record(S, peer, 'lines/s', runs.map((r) => r.perSecond), {
    unit: 'lines/s',
    note: `${n} lines in ${list('seconds', 2)} s; the app alone wrote them in ${list('appSeconds', 2)} s`,
    ...(fast ? { target: `>= best peer (${fast.peer}: ${Math.round(fast.stats.median)}); ratio of medians ${(median('perSecond') / fast.stats.median).toFixed(2)}`, check: (st) => st.median >= fast.stats.median } : {}),
  });
  ctx.record(S, peer, 'manager CPU per 1000 lines', runs.map((r) => r.cpuMsPerKLine), {
    unit: 'ms',
    note: `${list('cpuSeconds', 2)} s of CPU (utime + stime of the manager process, all threads, /proc ticks)`,
    ...(lean ? { target: `<= best peer (${lean.peer}: ${lean.stats.median.toFixed(2)} ms); ratio of medians ${(median('cpuMsPerKLine') / lean.stats.median).toFixed(2)}`, check: (st) => st.median <= lean.stats.median } : {}),
  });
}

// Runs the flood reps(ctx) times, each under a fresh manager from `make(i)`: `launch` gives it
// the flood app (writing to `file`); then records the peer's rows.
async function flood(ctx, peer, make, launch) {
  const n = lines(ctx);
  const runs = [];
  for (let i = 0; i < reps(ctx); i++) {
    const m = await ctx.own(make(i)).start();
    try {
      const file = join(m.dir, 'flood.log');
      const times = join(m.dir, 'times.json');
      await launch(m, { n, file, times });
      runs.push(await measure(peer, m.pid, file, times, n));
    } finally {
      await m.stop();
    }
  }
  record(ctx, peer, n, runs);
}

export function logsEmperor(ctx, format = 'timestamped') {
  const make = (i) => {
    const emperor = new Emperor(ctx.work, `logs-emperor-${format}-${i}`);
    const start = emperor.start.bind(emperor);
    emperor.start = () => start({ args: ctx.emperorArgs });
    return emperor;
  };
  const label = format === 'timestamped' ? 'emperor (logto, default log-format timestamped)' : `emperor (logto, log-format ${format})`;
  const key = format === 'timestamped' ? '' : `  log-format: ${format}\n`;
  return flood(ctx, label, make, (e, { n, file, times }) =>
    e.write('flood', `emperor:\n  command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(APP)}]\n  env: { LINES: "${n}", FLOOD_TIMES: ${JSON.stringify(times)} }\n  logto: ${file}\n${key}`),
  );
}

export function logsSupervisord(ctx) {
  return flood(ctx, 'supervisord (stdout_logfile)', (i) => new Supervisord(ctx.work, `logs-supervisord-${i}`), (s, { n, file, times }) => {
    s.write('flood', [
      '[program:flood]',
      `command=${process.execPath} ${APP}`,
      `environment=LINES="${n}",FLOOD_TIMES="${times}"`,
      'autostart=true',
      'autorestart=true',
      `stdout_logfile=${file}`,
      'stdout_logfile_maxbytes=0',
      'stderr_logfile=NONE',
      '',
    ].join('\n'));
    return s.update();
  });
}

export function logsPm2(ctx) {
  return flood(ctx, 'pm2 (out_file)', (i) => new Pm2(ctx.work, `logs-pm2-${i}`), (p, { n, file, times }) =>
    p.startApps('flood', [{ name: 'flood', script: APP, exec_mode: 'fork', instances: 1, autorestart: true, env: { LINES: String(n), FLOOD_TIMES: times }, out_file: file, error_file: '/dev/null', merge_logs: true }]),
  );
}
