// The emperor's side of the fence guard (fence-guard-process.ts): starts it in a session of its
// own, and tells it each claim's deadline and the process groups that run under it.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface FenceGuardEvents {
  /** The guard SIGKILLed a group whose claim ran out. */
  killed(name: string, pgid: number): void;
  /** The guard died: nothing guards the claims any longer. */
  died(code: number | null, signal: string | null): void;
}

export class FenceGuard {
  readonly #child: ChildProcess;
  #closed = false;

  constructor(events: FenceGuardEvents) {
    // Detached: a terminal's ^Z or ^C, which stops the emperor's group, must not stop the guard.
    this.#child = spawn(process.execPath, [join(import.meta.dirname, 'fence-guard-process.js')], { detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
    this.#child.stdin?.on('error', () => undefined);
    if (this.#child.stdout) {
      createInterface({ input: this.#child.stdout }).on('line', (line) => {
        const [verb, name, pgid] = line.split(' ');
        if (verb === 'killed' && name && pgid) events.killed(decodeURIComponent(name), Number(pgid));
      });
    }
    this.#child.once('exit', (code, signal) => {
      if (!this.#closed) events.died(code, signal);
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The claim of `name` is good until this CLOCK_MONOTONIC time (process.hrtime.bigint()). */
  deadline(name: string, monotonicNs: bigint): void {
    this.#send(`deadline ${encodeURIComponent(name)} ${monotonicNs}`);
  }

  group(name: string, pgid: number): void {
    this.#send(`group ${encodeURIComponent(name)} ${pgid}`);
  }

  release(name: string): void {
    this.#send(`release ${encodeURIComponent(name)}`);
  }

  /** At a clean exit (every instance already stopped): the guard exits on end of input. */
  close(): void {
    this.#closed = true;
    this.#child.stdin?.end();
  }

  #send(line: string): void {
    if (!this.#closed) this.#child.stdin?.write(`${line}\n`);
  }
}
