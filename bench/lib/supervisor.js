// Driver for supervisord with its own config file and unix socket under bench/.work. It does not
// watch a directory: a new or edited program file is applied by `supervisorctl reread` and
// `supervisorctl update`, which is what the bench measures.
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { atomicWrite, endGroup, mkdirp, run, startGroup, waitFor } from './util.js';

export const APP = resolve(import.meta.dirname, '..', 'apps', 'http-app.cjs');

export async function supervisordVersion() {
  return (await run('supervisord', ['--version'])).stdout.trim();
}

export class Supervisord {
  constructor(work, name = 'supervisord') {
    this.dir = join(work, name);
    rmSync(this.dir, { recursive: true, force: true });
    this.programs = mkdirp(join(this.dir, 'programs'));
    this.conf = join(this.dir, 'supervisord.conf');
    this.sock = join(this.dir, 'supervisor.sock');
    writeFileSync(
      this.conf,
      [
        '[unix_http_server]',
        `file=${this.sock}`,
        '[supervisord]',
        `logfile=${join(this.dir, 'supervisord.log')}`,
        `pidfile=${join(this.dir, 'supervisord.pid')}`,
        `childlogdir=${this.dir}`,
        'nodaemon=true',
        'user=root',
        '[rpcinterface:supervisor]',
        'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
        '[supervisorctl]',
        `serverurl=unix://${this.sock}`,
        '[include]',
        `files = ${this.programs}/*.conf`,
        '',
      ].join('\n'),
    );
  }

  ctl(...args) {
    return run('supervisorctl', ['-c', this.conf, ...args]);
  }

  async start() {
    this.proc = startGroup('supervisord', ['-c', this.conf], { stdout: 'ignore' });
    this.pid = this.proc.pid;
    await waitFor(async () => (await this.ctl('pid')).code === 0, { timeout: 15_000, interval: 100, message: 'supervisord up' });
    return this;
  }

  write(name, text) {
    atomicWrite(join(this.programs, `${name}.conf`), text);
  }

  remove(name) {
    rmSync(join(this.programs, `${name}.conf`), { force: true });
  }

  /** `supervisorctl reread && supervisorctl update`, as a user would type it. */
  async update() {
    const a = await this.ctl('reread');
    if (a.code !== 0) throw new Error(`supervisorctl reread: ${a.stdout}${a.stderr}`);
    const b = await this.ctl('update');
    if (b.code !== 0) throw new Error(`supervisorctl update: ${b.stdout}${b.stderr}`);
  }

  async stop() {
    if (!this.proc) return;
    // supervisord puts each program in a process group of its own: when its shutdown outlasts
    // the group's grace and supervisord is killed, those programs would live on (59 of 200 apps
    // did once). Their pids are taken first, and whatever is left of their groups is killed.
    const pids = (await this.ctl('pid all')).stdout.split(/\s+/).map(Number).filter((n) => n > 1);
    await this.ctl('shutdown');
    await endGroup(this.proc, 'SIGTERM', 20_000);
    this.proc = null;
    for (const pid of pids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // that group is gone already
      }
    }
  }
}

export function program({ name, port, mark = '' }) {
  return [
    `[program:${name}]`,
    `command=${process.execPath} ${APP}`,
    `environment=PORT="${port}",MARK="${mark}"`,
    'autostart=true',
    'autorestart=true',
    'stopsignal=TERM',
    'stopwaitsecs=10',
    'stdout_logfile=NONE',
    'stderr_logfile=NONE',
    '',
  ].join('\n');
}
