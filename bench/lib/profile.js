// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time by function, top N.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fmt } from './util.js';

export function summarizeProfileDir(dir, top = 15) {
  let files;
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return null;
  }
  if (files.length === 0) return null;
  const prof = JSON.parse(readFileSync(join(dir, files[0]), 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = prof.timeDeltas ?? [];
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const n = byId.get(prof.samples[i]);
    const dt = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000;
    total += dt;
    const cf = n.callFrame;
    const url = cf.url ? cf.url.replace(/^file:\/\//, '') : '';
    const where = url ? `${relative(join(import.meta.dirname, '..', '..'), url)}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName || '(anonymous)'}${where ? ' ' + where : ''}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const busy = [...self].filter(([k]) => k !== '(idle)').reduce((a, [, v]) => a + v, 0);
  const rows = [...self].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top);
  const md = [
    `Profile \`${files[0]}\`: ${fmt(total / 1000, 1)} s sampled, ${fmt(busy / 1000, 2)} s not idle. Top functions by self time:`,
    '',
    '| Function | self ms | % of busy |',
    '|---|---|---|',
    ...rows.map(([k, v]) => `| \`${k.replace(/\|/g, '\\|')}\` | ${fmt(v, 0)} | ${fmt((100 * v) / busy, 1)} |`),
  ].join('\n');
  return { md, rows, total, busy };
}
