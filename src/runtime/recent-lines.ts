// The last few output lines of one instance, to say why it died.
const ERROR_LINE = /error|exception|traceback|fatal|failed|cannot|can't|unable|denied|not found|no such|game over/i;
const MAX_LENGTH = 300;

export class RecentLines {
  readonly #lines: string[] = [];
  readonly #size: number;

  constructor(size: number) {
    this.#size = size;
  }

  push(line: string): void {
    if (!line.trim()) return;
    // A copy: a slice would keep the whole (up to 64 KiB) line alive.
    this.#lines.push(line.length > MAX_LENGTH ? Buffer.from(`${line.slice(0, MAX_LENGTH)}…`).toString() : line);
    if (this.#lines.length > this.#size) this.#lines.shift();
  }

  /** The lines of one read: only the last few can still matter. */
  pushAll(lines: readonly string[]): void {
    for (let i = Math.max(0, lines.length - this.#size); i < lines.length; i++) this.push(lines[i]!);
  }

  // The last line that looks like an error, else the last line; null when there was no output.
  mostTelling(): string | null {
    for (let i = this.#lines.length - 1; i >= 0; i--) {
      const line = this.#lines[i]!;
      if (ERROR_LINE.test(line) && !/^\s*(File |\^)/.test(line)) return line.trim();
    }
    return this.#lines.at(-1)?.trim() ?? null;
  }
}
