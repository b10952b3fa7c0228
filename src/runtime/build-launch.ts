// Works out how to exec one instance: program, arguments, environment and fd layout.
// fds 3, 4, … are the held sockets (systemd socket activation); the readiness channel and the
// uWSGI emperor channel come after them. Limits, user and umask are applied by programs that
// each exec the next (prlimit, setpriv, sh), so the spawned pid is the program's own.
import { existsSync } from 'node:fs';
import { findExecutable, programNotFound } from '../config/find-executable.js';
import type { ProcessSpec } from '../core/spec.js';
import type { SpawnRequest } from './spawn-request.js';

export type Stdio = ['ignore', 'pipe' | number, 'pipe' | number, ...('pipe' | number)[]];

export type Launch =
  | {
      readonly ok: true;
      readonly file: string;
      readonly args: string[];
      /** The vassal's own program (\`file\` may be a wrapper that joins the cgroup or sets limits), for messages. */
      readonly program: string;
      readonly env: Record<string, string>;
      readonly stdio: Stdio;
      readonly notifyFd: number | null;
      readonly uwsgiFd: number | null;
      /** The pipe a held instance waits on (EMPEROR_GO_FD). */
      readonly goFd: number | null;
    }
  | { readonly ok: false; readonly error: string; readonly notFound: boolean };

// Variables that must not leak from the emperor's own environment into an instance.
function inheritable(name: string): boolean {
  if (name.startsWith('UWSGI_')) return false; // uWSGI reads UWSGI_* as options (UWSGI_RELOADS …)
  return !['NOTIFY_SOCKET', 'LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES', 'EMPEROR_NOTIFY_FD', 'EMPEROR_GO_FD'].includes(name);
}

// A shell command that is one simple command can be exec'ed, keeping LISTEN_PID right.
const SIMPLE_COMMAND = /^[^;&|()<>`\n]*$/;
// Where util-linux's prlimit and setpriv are looked for after the emperor's own PATH.
const SYSTEM_PATH = '/usr/bin:/bin:/usr/sbin:/sbin';

// Builds the launch plan, or says why the instance cannot be started. `emperorUid`: only root
// switches users; as anyone else a `user` (which config allows only when it is the emperor's
// own) changes nothing but the identity variables.
export function buildLaunch(req: SpawnRequest, baseEnv: NodeJS.ProcessEnv, emperorUid: number = process.getuid?.() ?? 0): Launch {
  const p = req.process;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(baseEnv)) if (v !== undefined && inheritable(k)) env[k] = v;
  // The user's identity from the password database, unless the vassal's env says otherwise.
  if (p.runAs) Object.assign(env, { HOME: p.runAs.home, USER: p.runAs.user, LOGNAME: p.runAs.user, SHELL: p.runAs.shell });
  Object.assign(env, p.env, req.extraEnv ?? {});
  env.EMPEROR_VASSAL = req.vassal;
  env.EMPEROR_GENERATION = String(req.generation);
  env.EMPEROR_ROLE = req.role;

  if (!existsSync(p.cwd)) return { ok: false, error: `cwd: ${p.cwd} does not exist`, notFound: true };
  const stdio: Stdio = ['ignore', 'pipe', 'pipe', ...req.sockets.map((s) => s.fd)];
  // A channel to the emperor on the next fd, named to the instance by `variable`.
  const channel = (wanted: boolean, variable: string): number | null => {
    if (!wanted) return null;
    const fd = stdio.length;
    stdio.push('pipe');
    env[variable] = String(fd);
    return fd;
  };
  const notifyFd = channel(p.ready.kind === 'notify', 'EMPEROR_NOTIFY_FD');
  const uwsgiFd = channel(p.protocol === 'uwsgi', 'UWSGI_EMPEROR_FD');
  const goFd = channel(req.held === true, 'EMPEROR_GO_FD');

  // uWSGI adopts held sockets with `fd://3`; LISTEN_FDS as well would make it bind fd 3 twice.
  const sockets = req.sockets.length > 0 && p.protocol !== 'uwsgi';
  if (sockets) {
    env.LISTEN_FDS = String(req.sockets.length);
    env.LISTEN_FDNAMES = req.sockets.map((s) => s.name).join(':');
  }
  const program = programArgv(p, sockets, env);
  if (!program.ok) return program;
  // prlimit (as root, so hard limits can be raised) then setpriv, each exec'ing the next: the
  // spawned pid is the program's own, so LISTEN_PID stays right.
  const prefix = privilegePrefix(p, emperorUid, `${baseEnv.PATH ?? ''}:${SYSTEM_PATH}`);
  if (!prefix.ok) return prefix;
  // Joining the cgroup comes first, as root and before anything can fork: a child forked
  // earlier would stay outside. Failing to join runs the instance contained by its group alone.
  const join = req.cgroup === undefined ? [] : ['/bin/sh', '-c', 'echo $$ > "$0/cgroup.procs" 2>/dev/null; exec "$@"', req.cgroup];
  const [file = '', ...args] = [...join, ...prefix.argv, ...program.argv];
  return { ok: true, file, args, program: programName(program.argv), env, stdio, notifyFd, uwsgiFd, goFd };
}

type Argv = { readonly ok: true; readonly argv: string[] } | { readonly ok: false; readonly error: string; readonly notFound: boolean };

// The program and its arguments, behind a tiny shell when LISTEN_PID or the umask must be set first.
function programArgv(p: ProcessSpec, sockets: boolean, env: Record<string, string>): Argv {
  const umask = p.umask === undefined ? '' : `umask ${p.umask.toString(8).padStart(4, '0')}; `;
  // LISTEN_PID must be the pid of the program itself: the shell sets it, then execs.
  const listenPid = sockets ? 'LISTEN_PID=$$; export LISTEN_PID; ' : '';
  if (p.command.kind === 'shell') {
    const script = p.command.script;
    return { ok: true, argv: ['/bin/sh', '-c', sockets ? `${umask}${listenPid}${SIMPLE_COMMAND.test(script) ? `exec ${script}` : script}` : `${umask}${script}`] };
  }
  const [program, ...args] = p.command.argv;
  if (program === undefined) return { ok: false, error: 'command is empty', notFound: true };
  const resolved = findExecutable(program, env.PATH ?? '', p.cwd);
  if (resolved === undefined) {
    return { ok: false, error: programNotFound(program, p.cwd), notFound: true };
  }
  if (umask === '' && listenPid === '') return { ok: true, argv: [resolved, ...args] };
  return { ok: true, argv: ['/bin/sh', '-c', `${umask}${listenPid}exec "$0" "$@"`, resolved, ...args] };
}

// `prlimit --nofile=S:H … --` for the limits, `setpriv --reuid U --regid G --init-groups --` for another user.
function privilegePrefix(p: ProcessSpec, emperorUid: number, toolPath: string): Argv {
  const argv: string[] = [];
  const limits = Object.entries(p.limits ?? {});
  if (limits.length > 0) {
    const prlimit = findExecutable('prlimit', toolPath, '/');
    if (prlimit === undefined) return { ok: false, error: 'prlimit (util-linux) is not installed: it sets emperor.limits', notFound: true };
    argv.push(prlimit, ...limits.map(([name, limit]) => `--${name}=${limit.soft}:${limit.hard}`), '--');
  }
  // Root switches to the user with its supplementary groups (initgroups), which Node's spawn({uid, gid}) would drop.
  if (p.runAs && emperorUid === 0) {
    const setpriv = findExecutable('setpriv', toolPath, '/');
    if (setpriv === undefined) return { ok: false, error: `setpriv (util-linux) is not installed: it runs the instance as ${p.runAs.user}`, notFound: true };
    argv.push(setpriv, '--reuid', String(p.runAs.uid), '--regid', String(p.runAs.gid), '--init-groups', '--');
  }
  return { ok: true, argv };
}

// The program a person would recognize: behind programArgv's tiny shell, the program it execs
// (its "$0"), or the shell command itself.
function programName(argv: readonly string[]): string {
  if (argv[0] !== '/bin/sh') return argv[0] ?? '';
  return argv[3] ?? `/bin/sh -c ${argv[2] ?? ''}`;
}
