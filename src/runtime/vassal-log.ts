// Where one vassal's lines go: its in-memory ring (for `emperor logs` and followers) and, when
// it has `logto`, its log files (one per distinct path: the stand-in may write elsewhere).
// Lifecycle lines (spawned, ready, exited, reload and dance steps) go between the instances'
// lines, so a file shows where one instance ended and the next began.
import type { LifecycleEvent } from '../core/lifecycle-event.js';
import type { LogSettings } from '../core/log-settings.js';
import type { LogFileSpec } from '../core/spec.js';
import type { OutputLine } from '../core/status.js';
import type { Clock } from './clock.js';
import { LogFile, type LogFileHooks } from './log-file.js';
import { formatLogBatch, formatLogLine, recordOf, type LineBatch } from './log-line-format.js';
import { OutputRing } from './output-buffer.js';
import { readLogTail } from './read-log-tail.js';

const OUTPUT_LINES_KEPT = 1000;

export class VassalLog {
  readonly ring = new OutputRing(OUTPUT_LINES_KEPT);
  #settings: LogSettings = { main: undefined, standin: undefined };
  readonly #files = new Map<string, LogFile>();
  readonly #hooks: LogFileHooks;
  readonly #clock: Clock;
  readonly #drainListeners = new Set<() => void>();
  readonly #followedElsewhere: () => boolean;
  readonly #forward: (line: OutputLine) => void;

  /**
   * followedElsewhere: someone follows every vassal's lines (`emperor logs --all -f`), and
   * forward gives them each line. Not a follower of the ring: the ring counts only its own, so
   * that no line record is made while nobody looks.
   */
  constructor(hooks: LogFileHooks, clock: Clock, followedElsewhere: () => boolean, forward: (line: OutputLine) => void) {
    this.#hooks = hooks;
    this.#clock = clock;
    this.#followedElsewhere = followedElsewhere;
    this.#forward = forward;
  }

  /** Writes to these files from now on: a file no longer named is closed once its lines are written. */
  configure(settings: LogSettings): void {
    this.#settings = settings;
    const wanted = new Map<string, LogFileSpec>();
    for (const spec of [settings.main, settings.standin]) if (spec && !wanted.has(spec.path)) wanted.set(spec.path, spec);
    for (const [path, file] of this.#files) {
      if (wanted.has(path)) continue;
      this.#files.delete(path);
      void file.close();
    }
    for (const [path, spec] of wanted) {
      const file = this.#files.get(path);
      if (file) file.retarget(spec);
      else {
        const fresh = new LogFile(spec, this.#hooks, this.#clock);
        fresh.onDrain(() => {
          for (const l of [...this.#drainListeners]) l();
        });
        this.#files.set(path, fresh);
      }
    }
  }

  /** True when lines of this role go to a file (else to the emperor's own log). */
  hasFile(role: 'main' | 'standin'): boolean {
    return (role === 'main' ? this.#settings.main : this.#settings.standin) !== undefined;
  }

  /** Records the lines of one read; false asks the instance's output to pause until onDrain. */
  output(batch: LineBatch): boolean {
    const spec = batch.role === 'standin' ? this.#settings.standin : this.#settings.main;
    // With a file, history is read from the file: the ring only feeds followers, and a line
    // record per line is made only when someone follows.
    if (!spec || this.ring.followed || this.#followedElsewhere()) {
      for (const [i, line] of batch.chunk.lines.entries()) this.#push(recordOf(batch, i, line));
    }
    if (!spec) return true;
    const { data, prefix } = formatLogBatch(spec.format, batch);
    return this.#files.get(spec.path)?.write(data, prefix) ?? true;
  }

  /** Records a lifecycle line, in every file of the vassal. */
  event(e: LifecycleEvent): void {
    const line = eventLine(e);
    if (!line) return;
    this.#push(line);
    const { main, standin } = this.#settings;
    if (main) this.#write(main, line);
    if (standin && standin.path !== main?.path) this.#write(standin, line);
  }

  onDrain(listener: () => void): () => void {
    this.#drainListeners.add(listener);
    return () => this.#drainListeners.delete(listener);
  }

  /** Reopens every file at its path (logrotate moved it); returns how many. */
  reopen(): number {
    for (const file of this.#files.values()) file.reopen();
    return this.#files.size;
  }

  /** The last lines: from the vassal's file when it has one (with its rotated files), else from memory. */
  async history(n: number, since: number | null): Promise<OutputLine[]> {
    const main = this.#settings.main;
    if (main) {
      await this.#files.get(main.path)?.flushed();
      return readLogTail(main, n, since);
    }
    const lines = this.ring.last(OUTPUT_LINES_KEPT);
    const recent = since === null ? lines : lines.filter((l) => l.at === null || l.at >= since);
    return n <= 0 ? [] : recent.slice(-n);
  }

  async close(): Promise<void> {
    const files = [...this.#files.values()];
    this.#files.clear();
    await Promise.all(files.map((f) => f.close()));
  }

  #write(spec: LogFileSpec, line: OutputLine): boolean {
    const text = formatLogLine(spec.format, line);
    return text === null ? true : (this.#files.get(spec.path)?.write(Buffer.from(text, 'utf8')) ?? true);
  }

  #push(line: OutputLine): void {
    this.ring.push(line);
    this.#forward(line);
  }
}

// The line a lifecycle event leaves in the vassal's log; routine state changes leave none
// (the events around them say more).
function eventLine(e: LifecycleEvent): OutputLine | null {
  if (e.type === 'state' && e.level === 'info') return null;
  const generation = 'generation' in e && typeof e.generation === 'number' ? e.generation : 0;
  const standin = 'role' in e && e.role === 'standin';
  return { at: e.at, generation, stream: 'emperor', line: e.message, level: e.level, ...(standin ? { role: 'standin' as const } : {}) };
}
