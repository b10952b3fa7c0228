// Driver for PM2 installed by bench/setup into bench/.peers, with a private PM2_HOME under
// bench/.work so that the user's own PM2 is never touched. Always `pm2 kill` at the end.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { alive, mkdirp, run, signal, sleep } from './util.js';

export const PM2_BIN = resolve(import.meta.dirname, '..', '.peers', 'node_modules', 'pm2', 'bin', 'pm2');
export const APP = resolve(import.meta.dirname, '..', 'apps', 'http-app.cjs');

export function pm2Version() {
  return JSON.parse(readFileSync(resolve(import.meta.dirname, '..', '.peers', 'node_modules', 'pm2', 'package.json'), 'utf8')).version;
}

export class Pm2 {
  constructor(work, name = 'pm2') {
    this.dir = join(work, name);
    rmSync(this.dir, { recursive: true, force: true });
    this.home = mkdirp(join(this.dir, 'home'));
    this.env = { PM2_HOME: this.home, PM2_DISABLE_VERSION_CHECK: 'true', PM2_NO_INTERACTION: 'true' };
  }

  cli(...args) {
    return run(process.execPath, [PM2_BIN, ...args], { env: this.env, timeout: 300_000 });
  }

  async start() {
    const r = await this.cli('ping');
    if (r.code !== 0) throw new Error(`pm2 ping failed: ${r.stderr}`);
    this.pid = Number(readFileSync(join(this.home, 'pm2.pid'), 'utf8'));
    return this;
  }

  /** Starts the apps of an ecosystem file (written as JSON). */
  async startApps(name, apps) {
    const file = join(this.dir, `${name}.json`);
    writeFileSync(file, JSON.stringify({ apps }, null, 1));
    const r = await this.cli('start', file);
    if (r.code !== 0) throw new Error(`pm2 start failed: ${r.stderr || r.stdout}`);
    return r;
  }

  async jlist() {
    const r = await this.cli('jlist');
    try {
      return JSON.parse(r.stdout.slice(r.stdout.indexOf('[')));
    } catch {
      return [];
    }
  }

  async stop() {
    const pid = this.pid;
    await this.cli('kill');
    if (pid && alive(pid)) {
      await sleep(2000);
      if (alive(pid)) signal(pid, 'SIGKILL');
    }
  }
}

export function pm2App({ name, port, mode = 'fork', mark = '' }) {
  return {
    name,
    script: APP,
    exec_mode: mode,
    instances: 1,
    env: { PORT: String(port), MARK: mark },
    autorestart: true,
    wait_ready: true,
    listen_timeout: 10_000,
    kill_timeout: 10_000,
    out_file: '/dev/null',
    error_file: '/dev/null',
    merge_logs: true,
  };
}
