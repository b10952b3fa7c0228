// Works out how to exec one instance: program, arguments, environment and fd layout.
// fds 3, 4, … are the held sockets (systemd socket activation); the readiness channel and the
// uWSGI emperor channel come after them.
import { existsSync } from 'node:fs';
import { findExecutable } from '../config/find-executable.js';
import type { SpawnRequest } from './spawn-request.js';

type Stdio = ['ignore', 'pipe', 'pipe', ...('pipe' | number)[]];

export type Launch =
  | {
      readonly ok: true;
      readonly file: string;
      readonly args: string[];
      readonly env: Record<string, string>;
      readonly stdio: Stdio;
      readonly notifyFd: number | null;
      readonly uwsgiFd: number | null;
    }
  | { readonly ok: false; readonly error: string; readonly notFound: boolean };

// Variables that must not leak from the emperor's own environment into an instance.
function inheritable(name: string): boolean {
  if (name.startsWith('UWSGI_')) return false; // uWSGI reads UWSGI_* as options (UWSGI_RELOADS …)
  return !['NOTIFY_SOCKET', 'LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES', 'EMPEROR_NOTIFY_FD'].includes(name);
}

// A shell command that is one simple command can be exec'ed, keeping LISTEN_PID right.
const SIMPLE_COMMAND = /^[^;&|()<>`\n]*$/;

// Builds the launch plan, or says why the instance cannot be started.
export function buildLaunch(req: SpawnRequest, baseEnv: NodeJS.ProcessEnv): Launch {
  const p = req.process;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(baseEnv)) if (v !== undefined && inheritable(k)) env[k] = v;
  Object.assign(env, p.env, req.extraEnv ?? {});
  env.EMPEROR_VASSAL = req.vassal;
  env.EMPEROR_GENERATION = String(req.generation);
  env.EMPEROR_ROLE = req.role;

  if (!existsSync(p.cwd)) return { ok: false, error: `cwd: ${p.cwd} does not exist`, notFound: true };
  const stdio: Stdio = ['ignore', 'pipe', 'pipe', ...req.sockets.map((s) => s.fd)];
  let notifyFd: number | null = null;
  let uwsgiFd: number | null = null;
  if (p.ready.kind === 'notify') {
    notifyFd = stdio.length;
    stdio.push('pipe');
    env.EMPEROR_NOTIFY_FD = String(notifyFd);
  }
  if (p.protocol === 'uwsgi') {
    uwsgiFd = stdio.length;
    stdio.push('pipe');
    env.UWSGI_EMPEROR_FD = String(uwsgiFd);
  }

  // uWSGI adopts held sockets with `fd://3`; LISTEN_FDS as well would make it bind fd 3 twice.
  const sockets = req.sockets.length > 0 && p.protocol !== 'uwsgi';
  if (sockets) {
    env.LISTEN_FDS = String(req.sockets.length);
    env.LISTEN_FDNAMES = req.sockets.map((s) => s.name).join(':');
  }
  if (p.command.kind === 'shell') {
    const script = p.command.script;
    const withPid = sockets ? `LISTEN_PID=$$; export LISTEN_PID; ${SIMPLE_COMMAND.test(script) ? `exec ${script}` : script}` : script;
    return { ok: true, file: '/bin/sh', args: ['-c', withPid], env, stdio, notifyFd, uwsgiFd };
  }
  const [program, ...args] = p.command.argv;
  if (program === undefined) return { ok: false, error: 'command is empty', notFound: true };
  const resolved = findExecutable(program, env.PATH ?? '', p.cwd);
  if (resolved === undefined) {
    return { ok: false, error: `command not found: ${program} (not executable in cwd ${p.cwd} nor on PATH)`, notFound: true };
  }
  if (!sockets) return { ok: true, file: resolved, args, env, stdio, notifyFd, uwsgiFd };
  // LISTEN_PID must be the pid of the program itself: a tiny shell sets it, then execs.
  return { ok: true, file: '/bin/sh', args: ['-c', 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"', resolved, ...args], env, stdio, notifyFd, uwsgiFd };
}
