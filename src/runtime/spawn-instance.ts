// Starts one instance in its own process group with its held sockets, its readiness channel
// and (for uWSGI) the emperor channel, and reports what happens to it.
import type { Duplex } from 'node:stream';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import { buildLaunch, type Stdio } from './build-launch.js';
import type { OutputPipe } from './output-pipes.js';
import { makeStateDirs } from './state-dirs.js';
import type { SpawnRequest } from './spawn-request.js';
import { readPipeLines } from './pipe-lines.js';
import { readLines, type OutputChunk } from './read-lines.js';
import { cgroupProcs, killCgroup } from './cgroups.js';
import { readProcStat, signalGroup } from './process-group.js';
import { pauseUwsgiWorkers, UWSGI_PAUSE_MS } from './uwsgi-pause.js';

export interface InstanceCallbacks {
  spawned(pid: number): void;
  spawnFailed(error: string, notFound: boolean): void;
  /** The lines of one read from the pipe. */
  lines(stream: 'stdout' | 'stderr', chunk: OutputChunk): void;
  notify(line: string): void;
  uwsgiByte(byte: number): void;
  /** The leader exited and no process of its group (and cgroup) is left. */
  exited(code: number | null, signal: string | null): void;
  /** Processes still there a while after the leader exited: they are stopped, then killed. */
  leftBehind(description: string): void;
}

export interface InstanceHandle {
  readonly pid: number | undefined;
  /** Graceful stop: byte 2 for uWSGI instances, else the stop signal to the group. */
  stop(): void;
  kill(): void;
  sendUwsgi(byte: number): void;
  /** Lets a held instance go on: one byte on its EMPEROR_GO_FD. */
  go(): void;
  /** Stops reading stdout and stderr (the pipe fills and the instance waits, as with any slow reader) or reads on. */
  pauseOutput(paused: boolean): void;
}

// The handle of an instance that was never started: nothing to signal, stop or read.
const NOT_STARTED: InstanceHandle = { pid: undefined, stop() {}, kill() {}, sendUwsgi() {}, go() {}, pauseOutput() {} };

let envSnapshot: NodeJS.ProcessEnv | null = null;
// The emperor's environment as a plain object, copied at the first spawn (run-daemon removes
// systemd's variables before): every read of process.env goes through a C++ interceptor, and
// copying it for each of thousands of spawns showed in profiles.
function emperorEnv(): NodeJS.ProcessEnv {
  envSnapshot ??= { ...process.env };
  return envSnapshot;
}

// Spawns the instance; callbacks fire asynchronously, never from inside this call.
export function spawnInstance(req: SpawnRequest, cb: InstanceCallbacks): InstanceHandle {
  const dirsProblem = makeStateDirs(req.process);
  const launch = dirsProblem === null ? buildLaunch(req, emperorEnv()) : ({ ok: false, error: dirsProblem, notFound: true } as const);
  if (!launch.ok) {
    queueMicrotask(() => cb.spawnFailed(launch.error, launch.notFound));
    return NOT_STARTED;
  }
  const failed = (error: NodeJS.ErrnoException): InstanceHandle => {
    // Out of descriptors (EMFILE for the stdio pipes) or memory: a failed start of this vassal,
    // throttled and retried like any other, never an error that stops the emperor.
    queueMicrotask(() => cb.spawnFailed(`cannot start ${launch.program}: ${error.code ?? error.message}${error.code ? ` (${error.message})` : ''}`, false));
    return NOT_STARTED;
  };
  let pipes: ReturnType<typeof outputPipes>;
  try {
    pipes = outputPipes(req);
  } catch (error) {
    return failed(error as NodeJS.ErrnoException);
  }
  const stdio = pipes ? withOutputPipes(launch.stdio, pipes) : launch.stdio;
  // node:child_process rather than execa: with 1000 instances execa's per-child promises and
  // streams cost 33 MB of heap against 6 MB (measured with 1000 idle children), and none of its
  // extras are used here. Raw fd numbers at index 3+ pass the held sockets through.
  let child: ChildProcess;
  try {
    child = spawn(launch.file, launch.args, { cwd: req.process.cwd, env: launch.env, detached: true, stdio });
  } catch (error) {
    closePipes(pipes, 'readFd');
    return failed(error as NodeJS.ErrnoException);
  } finally {
    // The instance has its own copies; ours would keep the pipes from ever reaching end of file.
    closePipes(pipes, 'writeFd');
  }
  const pid = child.pid;
  const pipeAt = (fd: number | null): Duplex | undefined => (fd === null ? undefined : ((child.stdio[fd] as Duplex | null | undefined) ?? undefined));
  const channel = pipeAt(launch.uwsgiFd);
  let leaderGone = false;
  const goPipe = pipeAt(launch.goFd);
  goPipe?.on('error', () => {}); // EPIPE: the held instance died; its exit is reported

  if (pid === undefined) {
    closePipes(pipes, 'readFd');
    child.once('error', (err: NodeJS.ErrnoException) => cb.spawnFailed(`cannot start ${launch.program}: ${err.message}`, err.code === 'ENOENT'));
    return NOT_STARTED;
  }
  child.on('error', () => {}); // signalling a dead child: its exit is reported below
  queueMicrotask(() => cb.spawned(pid));
  const stderrPipe = pipes ? pipes[1]?.readFd : child.stderr;
  const outputs = [
    readPipeLines(pipes ? pipes[0].readFd : child.stdout, (chunk) => cb.lines('stdout', chunk)),
    ...(stderrPipe === undefined ? [] : [readPipeLines(stderrPipe, (chunk) => cb.lines('stderr', chunk))]),
  ];
  if (launch.notifyFd !== null) readLines(pipeAt(launch.notifyFd), (chunk) => chunk.lines.forEach((l) => cb.notify(l)));
  if (channel) {
    channel.on('data', (chunk: Buffer) => {
      for (const byte of chunk) cb.uwsgiByte(byte);
    });
    channel.on('error', () => {}); // EPIPE after the vassal died: its exit is reported below
  }

  const cgroup = req.cgroup ?? null;
  // The channel is destroyed once the leader exits: nothing is written to a gone instance.
  const sendUwsgi = (byte: number): void => {
    if (channel && !channel.destroyed) channel.write(Buffer.from([byte]));
  };
  let pausing: NodeJS.Timeout | undefined;
  const stopGroup = (): void => {
    if (req.process.protocol === 'uwsgi' && channel && !channel.destroyed && !leaderGone) {
      // Byte 2 once the paused workers have finished what they hold (uwsgi-pause.ts); a stop
      // repeated during the pause sends nothing more.
      if (pausing === undefined && pauseUwsgiWorkers(pid)) pausing = setTimeout(() => sendUwsgi(2), UWSGI_PAUSE_MS);
      else if (pausing === undefined) sendUwsgi(2);
    } else signalGroup(pid, req.process.stopSignal);
    // Processes that left the group (setsid, setpgid) get the stop signal too.
    if (cgroup) for (const p of escaped(cgroup, pid)) signalPid(p, req.process.stopSignal);
  };
  child.once('exit', (code, signal) => {
    leaderGone = true;
    clearTimeout(pausing);
    channel?.destroy();
    goPipe?.destroy();
    req.sweeper.wait({ pgid: pid, cgroup, stopTimeoutMs: req.process.stopTimeoutMs, leftBehind: cb.leftBehind, done: () => cb.exited(code, signal) });
  });
  return {
    pid,
    stop: stopGroup,
    kill: () => {
      signalGroup(pid, 'SIGKILL');
      if (cgroup) killCgroup(cgroup);
    },
    sendUwsgi,
    go: () => {
      if (goPipe && !goPipe.destroyed) goPipe.end(Buffer.from('g'));
    },
    pauseOutput: (paused) => {
      for (const o of outputs) o.holdBack(paused);
    },
  };
}

// Pipes for stdout and stderr, or null for Node's own socket pairs.
// [stdout, stderr], or [stdout] alone when stderr shares it (merge-stderr); null: no FIFOs here.
function outputPipes(req: SpawnRequest): readonly [OutputPipe] | readonly [OutputPipe, OutputPipe] | null {
  const stdout = req.outputPipes?.open() ?? null;
  if (!stdout) return null;
  if (req.process.mergeStderr) return [stdout];
  let stderr: OutputPipe | null = null;
  try {
    stderr = req.outputPipes?.open() ?? null;
  } finally {
    if (!stderr) closePipes([stdout], 'readFd', 'writeFd');
  }
  return stderr ? [stdout, stderr] : null;
}

function withOutputPipes(stdio: Stdio, pipes: readonly [OutputPipe] | readonly [OutputPipe, OutputPipe]): Stdio {
  const [stdin, , , ...rest] = stdio;
  return [stdin, pipes[0].writeFd, (pipes[1] ?? pipes[0]).writeFd, ...rest];
}

function closePipes(pipes: readonly OutputPipe[] | null, ...ends: (keyof OutputPipe)[]): void {
  for (const p of pipes ?? []) for (const end of ends) closeSync(p[end]);
}

// Members of the cgroup that are not in the instance's process group any more.
function escaped(cgroup: string, pgid: number): number[] {
  return cgroupProcs(cgroup).filter((p) => readProcStat(p)?.pgrp !== pgid);
}

function signalPid(pid: number, signal: string): void {
  try {
    process.kill(pid, signal);
  } catch {
    // exited meanwhile
  }
}
