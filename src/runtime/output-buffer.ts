// A bounded ring of recent output lines per vassal, for `emperor logs` and the API.
import type { OutputLine } from '../core/status.js';

export class OutputRing {
  readonly #lines: OutputLine[] = [];
  readonly #capacity: number;
  readonly #listeners = new Set<(line: OutputLine) => void>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  push(line: OutputLine): void {
    this.#lines.push(line);
    if (this.#lines.length > this.#capacity) this.#lines.splice(0, this.#lines.length - this.#capacity);
    for (const l of this.#listeners) l(line);
  }

  last(n: number): OutputLine[] {
    return n <= 0 ? [] : this.#lines.slice(-n);
  }

  follow(listener: (line: OutputLine) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
