// A bounded ring of recent lines per vassal, for `emperor logs` and the API. A real ring (a
// fixed array and a write index): trimming an array on every push cost more than everything
// else a line goes through at a million lines.
import type { OutputLine } from '../core/status.js';

export class OutputRing {
  readonly #slots: (OutputLine | undefined)[];
  #next = 0;
  #size = 0;
  readonly #listeners = new Set<(line: OutputLine) => void>();

  constructor(capacity: number) {
    this.#slots = new Array<OutputLine | undefined>(capacity);
  }

  push(line: OutputLine): void {
    const capacity = this.#slots.length;
    this.#slots[this.#next] = line;
    this.#next = (this.#next + 1) % capacity;
    if (this.#size < capacity) this.#size++;
    for (const l of this.#listeners) l(line);
  }

  last(n: number): OutputLine[] {
    const count = Math.min(Math.max(n, 0), this.#size);
    const capacity = this.#slots.length;
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
