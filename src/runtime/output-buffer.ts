// A bounded ring of recent lines per vassal, for `emperor logs` and the API. A real ring (a
// fixed array and a write index): trimming an array on every push cost more than everything
// else a line goes through at a million lines. The slots grow with the lines up to the
// capacity: a preallocated array of 1000 cost 8 KB of heap for every vassal, silent ones too.
import type { OutputLine } from '../core/status.js';

/** At most this many characters of lines are kept, whatever their count. */
const MAX_CHARS = 2 * 1024 * 1024;

export class OutputRing {
  readonly #slots: (OutputLine | undefined)[] = [];
  readonly #capacity: number;
  #next = 0;
  #size = 0;
  #chars = 0;
  readonly #listeners = new Set<(line: OutputLine) => void>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  push(line: OutputLine): void {
    const capacity = this.#capacity;
    if (this.#slots.length < capacity) this.#slots.push(line);
    else {
      this.#chars -= this.#slots[this.#next]?.line.length ?? 0;
      this.#slots[this.#next] = line;
    }
    this.#chars += line.line.length;
    this.#next = (this.#next + 1) % capacity;
    if (this.#size < capacity) this.#size++;
    // Bounded in bytes too: 1000 lines of 64 KiB pieces would keep 64 MB alive.
    while (this.#chars > MAX_CHARS && this.#size > 1) {
      const oldest = (this.#next - this.#size + capacity) % capacity;
      this.#chars -= this.#slots[oldest]!.line.length;
      this.#slots[oldest] = undefined;
      this.#size--;
    }
    for (const l of this.#listeners) l(line);
  }

  last(n: number): OutputLine[] {
    const count = Math.min(Math.max(n, 0), this.#size);
    const capacity = this.#capacity;
    const out: OutputLine[] = [];
    for (let i = count; i > 0; i--) out.push(this.#slots[(this.#next - i + capacity) % capacity]!);
    return out;
  }

  /** Someone follows the lines as they come. */
  get followed(): boolean {
    return this.#listeners.size > 0;
  }

  follow(listener: (line: OutputLine) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
