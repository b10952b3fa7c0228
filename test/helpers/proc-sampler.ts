// Samples /proc every 50 ms for live processes whose command line holds a marker, and keeps
// the largest count seen: the fleet tests' check that a singleton never runs twice, whatever
// the timing of the failure being tested.
import { readdirSync, readFileSync } from 'node:fs';

export class ProcSampler {
  readonly #marker: string;
  readonly #timer: NodeJS.Timeout;
  max = 0;
  samples = 0;
  /** When the largest count was first seen, and which pids. */
  worst: { at: number; pids: number[] } | null = null;

  constructor(marker: string, intervalMs = 50) {
    this.#marker = marker;
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Live (not zombie) processes with the marker in their command line now. */
  sample(): number[] {
    const pids: number[] = [];
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.#marker)) continue;
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        if (state !== 'Z' && state !== 'X') pids.push(pid);
      } catch {
        // gone meanwhile
      }
    }
    this.samples++;
    if (pids.length > this.max) {
      this.max = pids.length;
      this.worst = { at: Date.now(), pids };
    }
    return pids;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
