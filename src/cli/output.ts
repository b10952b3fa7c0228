// Human output: colour only on a TTY without NO_COLOR, tables, uptimes and durations.
import type { VassalStateName } from '../core/status.js';

// True when stdout is a terminal and NO_COLOR is unset or empty.
export function useColour(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env['NO_COLOR'];
}

const CODES = { red: 31, green: 32, yellow: 33, magenta: 35, dim: 2, bold: 1 } as const;
type Colour = keyof typeof CODES;

type Paint = (colour: Colour, text: string) => string;

// A painter that colours only when `enabled`.
export function painter(enabled: boolean): Paint {
  return (colour, text) => (enabled ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text);
}

const STATE_COLOUR: Record<VassalStateName, Colour> = {
  running: 'green', starting: 'yellow', reloading: 'yellow', dancing: 'yellow', stopping: 'yellow',
  waiting: 'yellow', degraded: 'magenta', throttled: 'magenta', broken: 'red', fatal: 'red', stopped: 'dim', exited: 'dim', standby: 'dim',
};

export function stateColour(state: VassalStateName): Colour {
  return STATE_COLOUR[state] ?? 'bold';
}

// Seconds as supervisorctl shows uptime: 0:00:42, 3:02:11, 2 days, 1:00:03.
export function formatUptime(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '-';
  const total = Math.floor(seconds);
  const days = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const clock = `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return days > 0 ? `${days} day${days === 1 ? '' : 's'}, ${clock}` : clock;
}

// A step duration: 850ms, 3.2s, 1m 05s.
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

// Left-aligned columns; `paint` colours a cell after padding so that widths stay right.
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], paintCell?: (row: number, col: number, padded: string) => string): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], row: number): string =>
    cells.map((c, i) => {
      const padded = i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0);
      return row >= 0 && paintCell ? paintCell(row, i, padded) : padded;
    }).join('  ').trimEnd();
  return [line(header, -1), ...rows.map((r, i) => line(r, i))].join('\n');
}
