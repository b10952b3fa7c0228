// A real emperor process for integration tests: temp vassals and run dirs, JSON logs captured,
// the control API on its real socket, and a leak check of every instance it ever spawned.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { VassalStatus } from '../../src/core/status.js';
import { groupMembers, isAlive } from '../../src/runtime/process-group.js';
import { request } from './http.js';
import { waitFor } from './wait-for.js';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const BIN = process.env.EMPEROR_TEST_BIN ?? join(REPO, 'bin', 'emperor.js');
export const FIXTURES = join(REPO, 'test', 'fixtures');

type LogRecord = Record<string, unknown> & { msg?: string; vassal?: string; event?: string };

interface StartOptions {
  readonly args?: readonly string[];
  readonly dir?: string;
  readonly runDir?: string;
  readonly env?: Record<string, string>;
  /** A program that runs the emperor, e.g. setpriv to start it as another user. */
  readonly prefix?: readonly string[];
  /** Start without `--vassals DIR` (the args give the vassals, e.g. an etcd prefix). */
  readonly noDir?: boolean;
}

export class Emperor {
  readonly dir: string;
  readonly vassals: string;
  readonly runDir: string;
  readonly control: string;
  readonly logs: LogRecord[] = [];
  readonly stderrText: string[] = [];
  proc!: ChildProcess;
  exitCode: number | null = null;
  exited!: Promise<number | null>;
  /** Every instance pid any emperor of this test spawned. */
  readonly spawned = new Set<number>();

  constructor(opts: StartOptions = {}) {
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'emperor-test-'));
    this.vassals = join(this.dir, 'vassals');
    this.runDir = opts.runDir ?? join(this.dir, 'run');
    this.control = join(this.runDir, 'control.sock');
    mkdirSync(this.vassals, { recursive: true });
  }

  // Starts (or restarts) the emperor process and waits until it watches the directory.
  async start(opts: StartOptions = {}): Promise<this> {
    const args = [...(opts.noDir ? [] : ['--vassals', this.vassals]), '--run-dir', this.runDir, '--log-format', 'json', '--throttle', '200ms', '--max-throttle', '2s', ...(opts.args ?? [])];
    const [file = process.execPath, ...prefixArgs] = opts.prefix ?? [];
    const argv = opts.prefix ? [...prefixArgs, process.execPath, BIN, ...args] : [BIN, ...args];
    this.proc = spawn(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...opts.env } });
    this.exitCode = null;
    this.exited = new Promise((res) => this.proc.on('exit', (code) => res((this.exitCode = code))));
    const rl = createInterface({ input: this.proc.stderr! });
    rl.on('line', (line) => {
      this.stderrText.push(line);
      try {
        const rec = JSON.parse(line) as LogRecord;
        this.logs.push(rec);
        if (rec.event === 'spawned' && typeof rec.instancePid === 'number') this.spawned.add(rec.instancePid);
      } catch {
        // not JSON: kept in stderrText
      }
    });
    // Only this start's own lines count: after a restart, the first emperor's "watching" is already there.
    const from = this.logs.length;
    await waitFor(() => this.logs.slice(from).some((l) => String(l.msg).includes('watching')) || this.exitCode !== null, { message: 'emperor watching', timeout: 15_000 });
    return this;
  }

  write(file: string, text: string): string {
    const path = join(this.vassals, file);
    writeFileSync(path, text);
    return path;
  }

  async api<T = unknown>(path: string, method = 'GET', body?: string): Promise<{ status: number; body: T }> {
    const r = await request({ socketPath: this.control, path, method, body });
    return { status: r.status, body: r.body ? (JSON.parse(r.body) as T) : (undefined as T) };
  }

  async status(name: string): Promise<VassalStatus | undefined> {
    const r = await this.api<VassalStatus>(`/vassals/${encodeURIComponent(name)}`);
    return r.status === 200 ? r.body : undefined;
  }

  // Waits until the vassal satisfies `pred` and returns its status.
  waitStatus(name: string, pred: (s: VassalStatus) => boolean, message: string, timeout = 15_000): Promise<VassalStatus> {
    return waitFor(async () => {
      const s = await this.status(name);
      return s && pred(s) ? s : undefined;
    }, { message: `${name}: ${message}`, timeout });
  }

  waitRunning(name: string, timeout?: number): Promise<VassalStatus> {
    return this.waitStatus(name, (s) => s.state === 'running' && s.pid !== null, 'running', timeout);
  }

  events(vassal: string, event?: string): LogRecord[] {
    return this.logs.filter((l) => l.vassal === vassal && (event === undefined || l.event === event));
  }

  // SIGTERM and wait for the exit code.
  async stop(timeout = 20_000): Promise<number | null> {
    if (this.exitCode !== null) return this.exitCode;
    this.proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((_, rej) => (timer = setTimeout(() => rej(new Error('emperor did not exit after SIGTERM')), timeout)));
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill9(): Promise<number | null> {
    this.proc.kill('SIGKILL');
    return this.exited;
  }

  // Ends everything this test started; returns the instance pids that were still alive (leaks).
  async cleanup(): Promise<number[]> {
    if (this.exitCode === null && this.proc) {
      try {
        await this.stop();
      } catch {
        this.proc.kill('SIGKILL');
        await this.exited;
      }
    }
    const leaked: number[] = [];
    for (const pid of this.spawned) {
      const members = groupMembers(pid);
      if (isAlive(pid) || members.length > 0) {
        leaked.push(pid);
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
    return leaked;
  }
}

// A vassal running a Node one-liner.
export function nodeVassal(code: string, extra = ''): string {
  return `emperor:\n  command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(code)}]\n${extra}`;
}

export const FOREVER = "console.log('up ' + process.pid); setInterval(() => {}, 1000);";

// Emperors of one test file: `fresh()` makes one, `cleanupAll()` (in afterEach) ends them all
// and returns every instance pid that was still alive.
export function emperorPool(): { fresh(): Emperor; cleanupAll(): Promise<number[]> } {
  const all: Emperor[] = [];
  return {
    fresh() {
      const em = new Emperor();
      all.push(em);
      return em;
    },
    async cleanupAll() {
      const leaked: number[] = [];
      for (const em of all.splice(0)) leaked.push(...(await em.cleanup()));
      return leaked;
    },
  };
}
