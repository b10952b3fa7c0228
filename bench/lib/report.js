// Renders bench/RESULTS.md from the recorded rows.
import { fmt } from './util.js';

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
