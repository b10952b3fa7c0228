// The table of `emperor status` and `emperor top`: one row per vassal; the wide form adds the
// CPU % and resident memory of each vassal's process groups and its last exit.
import type { ExitRecord, VassalStatus } from '../core/status.js';
import { formatTable, formatUptime, painter, stateColour } from './output.js';

const NARROW = ['NAME', 'STATE', 'PID', 'UPTIME', 'GEN', 'RESTARTS', 'RELOAD', 'SOCKETS'] as const;
const WIDE = ['CPU%', 'RSS', 'LAST EXIT'] as const;

export function renderStatusTable(vassals: readonly VassalStatus[], opts: { colour: boolean; wide: boolean; now?: number }): string {
  if (vassals.length === 0) return 'no vassals (add vassal files to the vassals directory, or keys under the etcd prefix it follows)';
  const paint = painter(opts.colour);
  const now = opts.now ?? Date.now();
  const rows = vassals.map((v) => [
    v.name,
    v.state,
    v.pid === null ? '-' : String(v.pid),
    formatUptime(v.uptime),
    String(v.generation),
    String(v.restarts),
    v.reload ?? '-',
    v.sockets.length === 0 ? '-' : v.sockets.map((s) => `${s.name}=${s.address}`).join(','),
    ...(opts.wide ? [formatCpu(v), formatRss(v), formatExit(v.lastExit, now)] : []),
    v.note || v.error || '',
  ]);
  const header = [...NARROW, ...(opts.wide ? WIDE : []), 'NOTE'];
  return formatTable(header, rows, (row, col, padded) => (col === 1 ? paint(stateColour(vassals[row]?.state ?? 'running'), padded) : padded));
}

function formatCpu(v: VassalStatus): string {
  const pct = v.usage?.cpuPercent;
  return pct === undefined || pct === null ? '-' : `${pct.toFixed(1)}%`;
}

function formatRss(v: VassalStatus): string {
  return v.usage ? formatBytes(v.usage.rssBytes) : '-';
}

// 512K, 12.3M, 1.5G
export function formatBytes(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${u === 0 || n >= 100 ? Math.round(n) : n.toFixed(1)}${units[u]}`;
}

// "code 3, 2m ago", "SIGKILL, 5s ago"; stops the emperor asked for read "stopped".
function formatExit(e: ExitRecord | null, now: number): string {
  if (!e) return '-';
  const how = e.expected ? 'stopped' : e.signal ?? `code ${e.code}`;
  return `${how}, ${formatAgo(now - e.at)} ago`;
}

function formatAgo(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
