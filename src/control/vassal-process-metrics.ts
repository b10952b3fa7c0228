// Per-vassal `process_cpu_seconds_total` and `process_resident_memory_bytes`, computed at scrape
// time from /proc. They join the families of the emperor's own series of the same names
// (prom-client's default metrics, which carry no labels) as series with a `vassal` label: a
// registry cannot hold two metrics of one name, so they are added to the text exposition.
import type { GroupUsage } from '../core/status.js';
import { escapeLabel } from './vassal-series.js';

const FAMILIES: readonly { name: string; value: (u: GroupUsage) => number }[] = [
  { name: 'process_cpu_seconds_total', value: (u) => u.cpuSeconds },
  { name: 'process_resident_memory_bytes', value: (u) => u.rssBytes },
];

// Inserts each vassal's series right after the family's last sample line.
export function addVassalProcessSeries(text: string, usage: ReadonlyMap<string, GroupUsage | null>): string {
  const lines = text.split('\n');
  const byName = [...usage].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([vassal, u]) => [escapeLabel(vassal), u] as const);
  for (const { name, value } of FAMILIES) {
    const series = byName.map(([vassal, u]) => `${name}{vassal="${vassal}"} ${u ? value(u) : 0}`);
    let last = -1;
    for (const [i, line] of lines.entries()) if (line.startsWith(`${name} `) || line.startsWith(`${name}{`) || line.startsWith(`# TYPE ${name} `)) last = i;
    if (last < 0) lines.push(`# TYPE ${name} ${name.endsWith('_total') ? 'counter' : 'gauge'}`, ...series);
    else lines.splice(last + 1, 0, ...series);
  }
  return lines.join('\n');
}
