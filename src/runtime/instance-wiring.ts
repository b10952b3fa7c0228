// Everything around one spawned instance: its notify socket, its log file, its output ring,
// readiness by log line, the journal entry, and the events it reports back to the dispatcher.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Effect } from '../core/effects.js';
import type { VassalEvent } from '../core/events.js';
import type { LifecycleEvent } from '../core/lifecycle-event.js';
import type { LogSettings } from '../core/log-settings.js';
import type { OutputLine } from '../core/status.js';
import type { Clock } from './clock.js';
import type { InstanceJournal } from './instance-journal.js';
import { openNotifySocket, type NotifySocket } from './notify-socket.js';
import type { OutputRing } from './output-buffer.js';
import { RecentLines } from './recent-lines.js';
import { nofileHint, transientErrno } from '../lib/transient-errors.js';
import { removeCgroup, type Cgroups } from './cgroups.js';
import { GroupSweeper } from './group-sweeper.js';
import { OutputPipes } from './output-pipes.js';
import { spawnInstance, type InstanceHandle } from './spawn-instance.js';
import { VassalLog } from './vassal-log.js';

const RECENT_LINES = 20;
// Longer than sun_path cannot be bound; EMPEROR_NOTIFY_FD still works then.
const MAX_SOCKET_PATH = 107;

export interface InstanceWiringDeps {
  readonly log: Logger;
  /** Where per-instance NOTIFY_SOCKETs are created. */
  readonly runDir: string;
  readonly journal: InstanceJournal;
  readonly clock: Clock;
  readonly report: (name: string, event: VassalEvent) => void;
  /** The held sockets to hand to a new instance of the vassal. */
  readonly socketFds: (name: string) => { name: string; fd: number }[];
  /** Each instance's own cgroup, when the emperor can make them; null: process groups alone. */
  readonly cgroups: Cgroups | null;
}

interface VassalInstances {
  readonly handles: Map<number, InstanceHandle>;
  readonly log: VassalLog;
  /** Lines that could not be written to the vassal's log files. */
  dropped: number;
}

export class InstanceWiring {
  readonly #vassals = new Map<string, VassalInstances>();
  readonly #deps: InstanceWiringDeps;
  readonly #lineListeners = new Set<(vassal: string, line: OutputLine) => void>();
  #warnedNoNotifySocket = false;
  readonly #sweeper: GroupSweeper;
  readonly #outputPipes: OutputPipes;
  #warnedNoOutputPipes = false;

  constructor(deps: InstanceWiringDeps) {
    this.#deps = deps;
    this.#sweeper = new GroupSweeper(deps.clock);
    this.#outputPipes = new OutputPipes(join(deps.runDir, 'pipes'));
  }

  /** Starts the instance; returns its pid (its process group's id) when the spawn got one. */
  spawn(name: string, file: string, effect: Extract<Effect, { type: 'spawn' }>): number | undefined {
    const { generation, process: proc } = effect;
    const deps = this.#deps;
    const report = (event: VassalEvent): void => deps.report(name, event);
    // An instance the journal could not record would be orphaned by a crash of the emperor: none
    // is started while the run dir cannot be written; the journal says when it can again.
    const journalFailure = deps.journal.failure;
    if (journalFailure !== null) {
      queueMicrotask(() => report({ type: 'spawn-failed', generation, error: runDirNotWritable(deps.runDir, journalFailure), notFound: false }));
      return;
    }
    const v = this.#of(name);
    const standin = effect.role === 'standin';
    const log = deps.log.child({ vassal: name, generation, ...(standin ? { role: 'standin' } : {}) });
    const readyLine = proc.ready.kind === 'log' ? new RegExp(proc.ready.pattern) : null;
    const recent = new RecentLines(RECENT_LINES);
    let readySeen = false;
    let pid = 0;
    /** Spawned, but its journal record failed: killed at once and reported as a spawn that did not happen. */
    let unrecorded: string | null = null;
    const onNotify = (line: string): void => {
      if (line.trim() === 'READY=1') report({ type: 'ready', generation });
      else if (line.startsWith('STATUS=')) report({ type: 'status-text', generation, text: line.slice(7) });
    };
    const cgroup = deps.cgroups?.create(name, generation, effect.role) ?? null;
    const notifySocket = proc.ready.kind === 'notify' && proc.protocol === 'plain' ? this.#openNotifySocket(name, generation, onNotify) : null;
    const handle = spawnInstance(
      {
        vassal: name,
        generation,
        role: effect.role,
        process: proc,
        ...(effect.held ? { held: true } : {}),
        sockets: deps.socketFds(name),
        sweeper: this.#sweeper,
        outputPipes: this.#outputPipes,
        ...(notifySocket ? { extraEnv: { NOTIFY_SOCKET: notifySocket.path } } : {}),
        ...(cgroup ? { cgroup } : {}),
      },
      {
        spawned: (p) => {
          if (unrecorded === null) report({ type: 'spawned', generation, pid: p });
        },
        spawnFailed: (error, notFound) => {
          notifySocket?.close();
          if (cgroup) removeCgroup(cgroup);
          const key = effect.role === 'standin' ? 'emperor.standin.command' : 'emperor.command';
          const hint = transientErrno(error) ? ` (transient, retried with the throttle; ${nofileHint()})` : '';
          report({ type: 'spawn-failed', generation, error: `${file}: ${key}: ${error}${hint}`, notFound });
        },
        lines: (stream, chunk) => {
          recent.pushAll(chunk.last(RECENT_LINES, 1024));
          const batch = { at: deps.clock(), generation, stream, chunk, ...(standin ? { role: 'standin' as const } : {}) };
          // A full file queue pauses this instance's pipes: the instance waits as for any slow reader.
          if (!v.log.output(batch)) this.#pause(v, true);
          if (!v.log.hasFile(effect.role)) for (const [i, line] of chunk.lines.entries()) log.info({ stream, ...(chunk.cut?.[i] ? { continued: true } : {}) }, line);
          // Once ready, the probe's work is done: no line of this instance is decoded for it again.
          if (readyLine && !readySeen && chunk.lines.some((l) => readyLine.test(l))) {
            readySeen = true;
            report({ type: 'ready', generation });
          }
        },
        notify: onNotify,
        uwsgiByte: (byte) => report({ type: 'uwsgi-byte', generation, byte }),
        leftBehind: (what) => log.warn({ pids: what }, `processes of generation ${generation} outlived its main process: ${what}; stopping them${cgroup ? ' (found through its cgroup)' : ''}`),
        exited: (code, signal) => {
          v.handles.delete(generation);
          notifySocket?.close();
          if (pid) deps.journal.ended(pid);
          if (unrecorded !== null) report({ type: 'spawn-failed', generation, error: unrecorded, notFound: false });
          else report({ type: 'exited', generation, code, signal, output: recent.mostTelling() });
        },
      },
    );
    this.#warnIfNoOutputPipes();
    v.handles.set(generation, handle);
    if (handle.pid !== undefined) {
      // Journaled before anything else can happen, so that a crash of the emperor right now
      // still leaves a record of this process group for the next emperor to stop.
      pid = handle.pid;
      if (!deps.journal.started(name, generation, pid, proc.protocol === 'uwsgi' ? 'SIGINT' : proc.stopSignal, cgroup)) {
        unrecorded = runDirNotWritable(deps.runDir, deps.journal.failure ?? 'write failed');
        handle.kill();
      }
    }
    return handle.pid;
  }

  handle(name: string, generation: number): InstanceHandle | undefined {
    return this.#vassals.get(name)?.handles.get(generation);
  }

  /** The vassal's output ring (made on first use, so a follower can wait for the first line). */
  output(name: string): OutputRing {
    return this.#of(name).log.ring;
  }

  /** The vassal's last lines: from its log file when it has one, else from memory. */
  history(name: string, n: number, since: number | null): Promise<OutputLine[]> {
    return this.#of(name).log.history(n, since);
  }

  /** Every new line of every vassal (`emperor logs --all -f`). */
  followAll(listener: (vassal: string, line: OutputLine) => void): () => void {
    this.#lineListeners.add(listener);
    return () => this.#lineListeners.delete(listener);
  }

  /** Where the vassal's lines go from now on (the file was loaded, maybe with a new `logto`). */
  configureLog(name: string, settings: LogSettings): void {
    this.#of(name).log.configure(settings);
  }

  /** A lifecycle line for the vassal's log, between its instances' lines. */
  recordEvent(event: LifecycleEvent): void {
    this.#vassals.get(event.vassal)?.log.event(event);
  }

  /** Reopens every vassal's log files at their paths; returns how many. */
  reopenLogs(): number {
    let n = 0;
    for (const v of this.#vassals.values()) n += v.log.reopen();
    return n;
  }

  /** Lines each vassal could not write to its log files since the emperor started. */
  droppedLines(): Map<string, number> {
    return new Map([...this.#vassals].map(([name, v]) => [name, v.dropped]));
  }

  /** The vassal is gone: close its log files (once written) and drop its output. */
  release(name: string): void {
    void this.#vassals.get(name)?.log.close();
    this.#vassals.delete(name);
  }

  /** Emergency stop: SIGKILL to every group at once. */
  killAll(): void {
    for (const v of this.#vassals.values()) for (const h of v.handles.values()) h.kill();
  }

  /** Writes what is queued and closes every log file (at shutdown). */
  async closeLogFiles(): Promise<void> {
    this.#outputPipes.close();
    await Promise.all([...this.#vassals.values()].map((v) => v.log.close()));
  }

  #of(name: string): VassalInstances {
    let v = this.#vassals.get(name);
    if (!v) {
      const log = this.#deps.log.child({ vassal: name });
      const hooks = {
        failed: (path: string, err: NodeJS.ErrnoException) => log.warn({ path, errno: err.code }, `cannot write the log file ${path}: ${err.message}; its lines are dropped (counted in emperor_log_lines_dropped_total) and the instance keeps running`),
        recovered: (path: string, dropped: number) => log.info({ path, dropped }, `writing the log file ${path} again (${dropped} line(s) dropped meanwhile)`),
        dropped: (lines: number) => {
          created.dropped += lines;
        },
      };
      const forward = (line: OutputLine): void => {
        for (const l of this.#lineListeners) l(name, line);
      };
      const created: VassalInstances = { handles: new Map(), log: new VassalLog(hooks, this.#deps.clock, () => this.#lineListeners.size > 0, forward), dropped: 0 };
      created.log.onDrain(() => this.#pause(created, false));
      this.#vassals.set(name, created);
      v = created;
    }
    return v;
  }

  #pause(v: VassalInstances, paused: boolean): void {
    for (const h of v.handles.values()) h.pauseOutput(paused);
  }

  #warnIfNoOutputPipes(): void {
    const problem = this.#outputPipes.problem;
    if (problem === null || this.#warnedNoOutputPipes) return;
    this.#warnedNoOutputPipes = true;
    this.#deps.log.warn(`${problem}; instances write stdout and stderr to socket pairs instead (slower for busy output, and /dev/stdout cannot be opened on them)`);
  }

  #openNotifySocket(name: string, generation: number, onLine: (line: string) => void): NotifySocket | null {
    const path = join(this.#deps.runDir, 'notify', `${name}.${generation}.sock`);
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) return null;
    const socket = openNotifySocket(path, onLine, (err) => this.#deps.log.warn({ vassal: name, err }, 'notify socket error'));
    if (!socket && !this.#warnedNoNotifySocket) {
      this.#warnedNoNotifySocket = true;
      this.#deps.log.warn('systemd NOTIFY_SOCKET is not offered: the optional unix-dgram addon is not installed (EMPEROR_NOTIFY_FD still works)');
    }
    return socket;
  }
}

function runDirNotWritable(runDir: string, why: string): string {
  return `waiting: run dir not writable (${runDir}: ${why}); no instance is started that a crash of the emperor could orphan`;
}
