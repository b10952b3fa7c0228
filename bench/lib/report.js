// Renders bench/RESULTS.md from the recorded rows.
import { fmt } from './util.js';

const GUNICORN_LINK = 'gunicorn restarts side by side (emperor dance and overlap, supervisorctl restart, kill -HUP, USR2; app load 3 s), with where the time to new code goes: [RESULTS-gunicorn.md](RESULTS-gunicorn.md) (`npm run bench -- --only gunicorn --out bench/RESULTS-gunicorn.md`).';

export function render(meta, ctx, failures) {
  const L = [];
  L.push('# Benchmark results');
  L.push('');
  if (meta.quick) L.push(`> **Quick run** (\`--quick\`): ${meta.reps} repetitions per figure instead of 20, shorter idle/churn windows and fewer zero-downtime runs. Indicative only; run \`npm run bench\` for the full figures.`, '');
  L.push('| | |', '|---|---|');
  L.push(`| Date | ${meta.date} |`);
  L.push(`| Command | \`${meta.command}\` (${meta.durationS} s) |`);
  L.push(`| Machine | ${meta.nproc} CPUs (\`nproc\`), ${meta.cpu}, ${meta.memory} RAM |`);
  L.push(`| OS / kernel | ${meta.os} / ${meta.kernel} |`);
  L.push(`| Node | ${meta.node} |`);
  L.push(`| emperor | ${meta.emperor} |`);
  L.push(`| uWSGI | ${meta.uwsgi} (Debian uwsgi-core + uwsgi-plugin-python3) |`);
  L.push(`| PM2 | ${meta.pm2} (npm, bench/.peers) |`);
  L.push(`| supervisord | ${meta.supervisord} |`);
  L.push(`| Repetitions | ${meta.reps} per figure unless the row says otherwise (n) |`);
  L.push('');
  L.push('Every figure is min / median / p95 / max over n repetitions, all peers measured in the same run, one after another (never concurrently). Times are milliseconds from the triggering action (file renamed into place, touch, `kill -9`, CLI command started) unless the unit says otherwise. "exec" is when the new process started, as the instance itself reports it (Node: `performance.timeOrigin`; uWSGI: `/proc/PID/stat` start time, 10 ms resolution). "first answer" is when a poll (new connection every 2 ms) got the first HTTP 200 from the new instance. See bench/README.md for what each scenario does.');
  L.push('');
  // The gunicorn comparison (today's Galaxy) has its own file, run on its own (it needs no PM2 or uWSGI).
  if (!ctx.rows.length || !ctx.rows.every((r) => r.section.startsWith('gunicorn'))) L.push(GUNICORN_LINK, '');
  if (failures.length) {
    L.push('## Failed parts', '');
    for (const f of failures) L.push(`- **${f.scen} / ${f.peer}**: ${f.error.split('\n')[0]}`);
    L.push('');
  }
  const targets = ctx.rows.filter((r) => r.target);
  if (targets.length) {
    L.push('## The emperor against its targets', '');
    L.push('| Scenario | Peer | Figure | Median | p95 | Target | Met |', '|---|---|---|---|---|---|---|');
    for (const r of targets) L.push(`| ${r.section} | ${r.peer} | ${r.metric} | ${fmt(r.stats.median)} ${r.unit} | ${fmt(r.stats.p95)} ${r.unit} | ${r.target} | ${r.met === undefined ? '–' : r.met ? 'yes' : '**no**'} |`);
    L.push('');
  }
  L.push(...findings(ctx));
  const sections = [...new Set([...ctx.rows.map((r) => r.section), ...ctx.extra.map((e) => e.section)])];
  for (const s of sections) {
    L.push(`## ${s}`, '');
    const rows = ctx.rows.filter((r) => r.section === s);
    if (rows.length) {
      L.push('| Peer | Figure | n | min | median | p95 | max | unit |', '|---|---|---|---|---|---|---|---|');
      for (const r of rows) L.push(`| ${r.peer} | ${r.metric}${r.note ? ` (${r.note})` : ''} | ${r.stats.n} | ${fmt(r.stats.min)} | ${fmt(r.stats.median)} | ${fmt(r.stats.p95)} | ${fmt(r.stats.max)} | ${r.unit} |`);
      L.push('');
      const ratios = [];
      const metrics = [...new Set(rows.map((r) => r.metric))];
      for (const m of metrics) {
        const mine = rows.filter((r) => r.metric === m && r.peer.startsWith('emperor') && !r.info && !r.noRatio);
        const theirs = rows.filter((r) => r.metric === m && !r.peer.startsWith('emperor') && !r.noRatio);
        for (const a of mine) for (const b of theirs) {
          if (!(b.stats.median > 0) || !(a.stats.n > 0)) continue;
          ratios.push(`| ${m} | ${a.peer} / ${b.peer} | ${fmt(a.stats.median / b.stats.median, 2)} | ${b.stats.p95 > 0 ? fmt(a.stats.p95 / b.stats.p95, 2) : '–'} |`);
        }
      }
      if (ratios.length) {
        L.push('Emperor / peer ratio (below 1: the emperor is faster / smaller):', '');
        L.push('| Figure | Pair | median ratio | p95 ratio |', '|---|---|---|---|', ...ratios, '');
      }
    }
    for (const e of ctx.extra.filter((x) => x.section === s)) L.push(e.md, '');
    for (const n of ctx.notes.filter((x) => x.section === s)) L.push(`- ${n.text}`);
    if (ctx.notes.some((x) => x.section === s)) L.push('');
  }
  return L.join('\n') + '\n';
}

// Why a target is missed, from what the run itself measured (only shown when it is missed).
function findings(ctx) {
  const F = [];
  const row = (peerStart, metric) => ctx.rows.find((r) => r.peer.startsWith(peerStart) && r.metric.startsWith(metric));
  const missed = ctx.rows.filter((r) => r.target && r.met === false);
  if (!missed.length) return [];
  const m = (peer, metric) => missed.some((r) => r.peer.startsWith(peer) && r.metric.startsWith(metric));
  if (m('emperor (held socket)', 'exec')) {
    const so = row('emperor (held socket)', "(inside) 'sockets'");
    const ns = row('emperor (no held socket', 'exec');
    F.push(`- **Drop -> exec with a held socket** (median ${fmt(row('emperor (held socket)', 'exec').stats.median)} ms): the time goes into binding the socket, before the spawn: the emperor logs \`sockets\` at ${fmt(so?.stats.median)} ms (median) after the rename, against ~2 ms for \`loaded\`. \`bindSockets\` (src/runtime/held-sockets.ts) starts a whole Node process (\`node -e LISTEN_HELPER\`) just to call listen(2) on the inherited fd, and the instance is spawned only after that helper exits. Without a held socket the same drop execs in ${fmt(ns?.stats.median)} ms median (p95 ${fmt(ns?.stats.p95)} ms), within the target. Fix ideas: call listen(2) without a Node start-up (a tiny static helper, or a helper process kept warm and fed fds), or spawn the instance concurrently with the helper.`);
  }
  const rss1000 = row('emperor', 'RSS with all running');
  if (m('emperor', 'RSS') && rss1000) {
    const r = rss1000;
    const c = ctx.rows.find((x) => x.metric === 'RSS after churn');
    F.push(`- **RSS with 1000 vassals** is ${fmt(r.stats.median)} MB (target 150 MB); with 100 vassals after churn it is ${fmt(c?.stats.median)} MB, so the base is ~${c ? fmt(c.stats.median) : '?'} MB and each vassal costs roughly ${c ? fmt(((r.stats.median - c.stats.median) / 900) * 1024, 0) : '?'} KB. Not profiled further (the CPU profile does not show memory); candidates are per-vassal state (the kept output ring of 1000 lines, pino child loggers, two pipes per instance, chokidar's per-file watch state). A heap snapshot with 1000 vassals would tell.`);
  }
  if (m('emperor', 'lost touches') || m('emperor', 'vassals not reloaded')) {
    const close = ctx.rows.find((x) => x.metric.startsWith('touches < 50 ms'));
    const lost = ctx.rows.find((x) => x.metric.startsWith('lost touches'));
    F.push(`- **Churn: lost touches** (${fmt(lost?.stats.median, 0)} of the touches produced no 'changed' event of their own; ${fmt(close?.stats.median, 0)} touches came < 50 ms after the previous touch of the same file). No vassal was left behind: "vassals not reloaded after their last touch" is 0, so every vassal ended up running its latest file. The uncounted touches were merged with a neighbour: chokidar 5 drops a \`change\` that comes within 50 ms of the previous one for the same path and emits no trailing event (node_modules/chokidar/index.js: \`_throttle(EV.CHANGE, path, 50)\` in \`_emit\`), so the emperor looks at every changed file once more 75 ms after each event (src/runtime/file-tracker.ts), and touches that land while the same file is being loaded become one reload. Reloading once per touch, even for touches 10 ms apart, would only restart instances that are immediately replaced again; the target's strict reading (one generation per touch) is therefore not met by design. This behaviour came from this benchmark: before the re-check, a quick run left 2 vassals on an older touch.`);
  }
  if (m('emperor', 'restart dance: latency p99') || m('emperor', 'overlap reload: failed') || m('emperor', 'restart dance: failed')) {
    const steps = ctx.extra.some((e) => e.md.includes('main-stopping'));
    F.push(`- **Zero downtime, dance p99 vs 3 × baseline p99**: no request failed, but requests wait while instances are swapped, and the baselines are tiny (sub-millisecond p99 on an idle loopback; autocannon reports whole milliseconds, so a keep-alive baseline p99 of 0 ms makes "3 × baseline" 0 ms, a target no event can meet). With a new connection per request the dance's p99 is a few ms. With keep-alive, a minority of runs (p95 of the per-run p99) see ~0.7 s: clients of the instance being stopped get \`Connection: close\` or are closed when idle, and reconnect; the same ~0.7 s outliers appear for PM2's \`pm2 reload\`, so this is the app's drain (bench/apps/http-app.cjs closes idle keep-alive connections 1 s after SIGTERM), not an emperor-specific stall.${steps ? ' The dance steps table shows that main-stopping (the original draining) is most of the dance.' : ''}`);
  }
  if (m('emperor (logto', 'lines/s')) {
    F.push(`- **Log throughput, lines/s**: the flood app writes one 100-byte line per write(2), so it runs only as fast as its stdout is drained, and runs of one build vary by 15% or more on this 2-core machine (the rows are medians of 3 runs per peer). The emperor's reading: the instance's stdout is a 64 KiB pipe (a FIFO, output-pipes.ts); after a read that did not fill its 64 KiB buffer it leaves the pipe for 1 ms to fill (tens of KiB per read instead of a few lines, hence its CPU per line is about a third of supervisord's), after a full read it reads on at once. Before, the stdout was Node's UNIX socket pair, which holds only about 300 such lines (every write is a kernel buffer of its own): 244-263k lines/s. With the pipe, 4 runs on 2026-12-03 gave 279-316k (timestamped) and 269-320k (plain) against supervisord's 246-354k in the same runs.`);
  }
  if (m('emperor', 'all running') || m('emperor', 'idle CPU')) {
    F.push("- **Scale**: profiled on 2026-12-03 (bench/profile-spawn.js, perf, --cpu-prof). Idle: at 200 vassals, the CPU of the window 30-90 s after the start is V8's memory-reducer GCs (concurrent marking and evacuation), 0.27 % of a core; from 60 s on the same emperor uses 0.05 % with about 1 wake-up/s, and nothing periodic of its own shows (strace: 2 reads and 2 writes in 15 s besides epoll and futex). `--trace-gc` puts the reducer's two compacting GCs about 35 s after the last start-up GC, and they take RSS from about 80 MB to 62 MB at 200 vassals: the RSS rows depend on whether the sample comes before or after them (1000 vassals: 80 MB in one run, 109 MB in the next). Started with `node --max-semi-space-size=2`, the reducer ran about 20 s after the start and the window measured 0.1 % at 62 MB; the flag cannot be set from inside the process (`v8.setFlagsFromString` leaves the new space at 16 MB), and `=1` started 1000 vassals more slowly (16.4 s against 13.4 s), so it is not the default. `--memory-reducer-single-gc`: 0.2 %. A `gc()` of our own after the start does not give memory back (Node 20's V8 ignores its options; the committed heap stays). RSS: about 42 MB of the 57 MB at 0 vassals is file-backed (the node binary's text is 38 MB), leaving the 60 MB target about 15 KB per vassal at 200 against 25-28 KB measured (heap slope). Starting many: half of the main thread's time per vassal is fork() of a ~100 MB process on this paravirtualised VM (copy-on-write faults after each fork 28 %, fork itself 14 %); a bare Node process spawning `sleep` costs 5.7 ms at 52 MB RSS and 12.8 ms at 139 MB, so Node's child_process cannot start 10,000 in 30 s here. 10,000 vassals need about 20,100 fds (two pipes each); this container's hard limit is 20000 and cannot be raised (no CAP_SYS_RESOURCE).");
  }
  return F.length ? ['## Why targets are missed', '', ...F, ''] : [];
}
