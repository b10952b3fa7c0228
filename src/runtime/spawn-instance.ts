// Starts one instance in its own process group with its held sockets, its readiness channel
// and (for uWSGI) the emperor channel, and reports what happens to it.
import type { Readable } from 'node:stream';
import type { Duplex } from 'node:stream';
import { spawn, type ChildProcess } from 'node:child_process';
import type { Clock } from './clock.js';
import { buildLaunch } from './build-launch.js';
import { makeStateDirs } from './state-dirs.js';
import type { SpawnRequest } from './spawn-request.js';
import { readLines } from './read-lines.js';
import { groupAlive, signalGroup } from './process-group.js';

export interface InstanceCallbacks {
  spawned(pid: number): void;
  spawnFailed(error: string, notFound: boolean): void;
  line(stream: 'stdout' | 'stderr', line: string): void;
  notify(line: string): void;
  uwsgiByte(byte: number): void;
  /** The leader exited and no process of its group is left. */
  exited(code: number | null, signal: string | null): void;
}

export interface InstanceHandle {
  readonly pid: number | undefined;
  /** Graceful stop: byte 2 for uWSGI instances, else the stop signal to the group. */
  stop(): void;
  kill(): void;
  sendUwsgi(byte: number): void;
}

const GROUP_POLL_MS = 20;

// Spawns the instance; callbacks fire asynchronously, never from inside this call.
export function spawnInstance(req: SpawnRequest, cb: InstanceCallbacks): InstanceHandle {
  const dirsProblem = makeStateDirs(req.process);
  const launch = dirsProblem === null ? buildLaunch(req, process.env) : ({ ok: false, error: dirsProblem, notFound: true } as const);
  if (!launch.ok) {
    queueMicrotask(() => cb.spawnFailed(launch.error, launch.notFound));
    return { pid: undefined, stop() {}, kill() {}, sendUwsgi() {} };
  }
  // node:child_process rather than execa: with 1000 instances execa's per-child promises and
  // streams cost 33 MB of heap against 6 MB (measured with 1000 idle children), and none of its
  // extras are used here. Raw fd numbers at index 3+ pass the held sockets through.
  let child: ChildProcess;
  try {
    child = spawn(launch.file, launch.args, {
      cwd: req.process.cwd,
      env: launch.env,
      detached: true,
      stdio: launch.stdio,
    });
  } catch (error) {
    // Out of descriptors (EMFILE for the stdio pipes) or memory: a failed start of this vassal,
    // throttled and retried like any other, never an error that stops the emperor.
    const err = error as NodeJS.ErrnoException;
    queueMicrotask(() => cb.spawnFailed(`cannot start ${launch.file}: ${err.code ?? err.message}${err.code ? ` (${err.message})` : ''}`, false));
    return { pid: undefined, stop() {}, kill() {}, sendUwsgi() {} };
  }
  const pid = child.pid;
  const channel = launch.uwsgiFd === null ? undefined : (child.stdio[launch.uwsgiFd] as Duplex | null | undefined) ?? undefined;
  let leaderGone = false;

  if (pid === undefined) {
    child.once('error', (err: NodeJS.ErrnoException) => cb.spawnFailed(`cannot start ${launch.file}: ${err.message}`, err.code === 'ENOENT'));
    return { pid: undefined, stop() {}, kill() {}, sendUwsgi() {} };
  }
  child.on('error', () => {}); // signalling a dead child: its exit is reported below
  queueMicrotask(() => cb.spawned(pid));
  readLines(child.stdout, (l) => cb.line('stdout', l));
  readLines(child.stderr, (l) => cb.line('stderr', l));
  if (launch.notifyFd !== null) readLines(child.stdio[launch.notifyFd] as Readable | undefined, (l) => cb.notify(l));
  if (channel) {
    channel.on('data', (chunk: Buffer) => {
      for (const byte of chunk) cb.uwsgiByte(byte);
    });
    channel.on('error', () => {}); // EPIPE after the vassal died: its exit is reported below
  }

  const stopGroup = (): void => {
    if (req.process.protocol === 'uwsgi' && channel && !channel.destroyed && !leaderGone) channel.write(Buffer.from([2]));
    else signalGroup(pid, req.process.stopSignal);
  };
  child.once('exit', (code, signal) => {
    leaderGone = true;
    channel?.destroy();
    waitGroupGone(pid, req.process.stopTimeoutMs, req.clock, () => cb.exited(code, signal));
  });
  return {
    pid,
    stop: stopGroup,
    kill: () => signalGroup(pid, 'SIGKILL'),
    sendUwsgi: (byte) => {
      if (channel && !channel.destroyed) channel.write(Buffer.from([byte]));
    },
  };
}

// After the leader exits, its group may still hold stray children: ask them to stop, kill
// them after the stop timeout, and report only when none is left.
function waitGroupGone(pgid: number, stopTimeoutMs: number, clock: Clock, done: () => void): void {
  if (!groupAlive(pgid)) {
    done();
    return;
  }
  signalGroup(pgid, 'SIGTERM');
  const killAt = clock() + stopTimeoutMs;
  const timer = setInterval(() => {
    if (!groupAlive(pgid)) {
      clearInterval(timer);
      done();
    } else if (clock() >= killAt) {
      signalGroup(pgid, 'SIGKILL');
    }
  }, GROUP_POLL_MS);
}
