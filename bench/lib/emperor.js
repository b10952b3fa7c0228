// Driver for the emperor under test: a real `bin/emperor.js` process in its own process group,
// its JSON log parsed line by line, its control API on the UNIX socket.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join, resolve } from 'node:path';
import { alive, atomicWrite, endGroup, groupMembers, mkdirp, now, run, signal, sleep, startGroup, touch, waitFor } from './util.js';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const BIN = join(REPO, 'bin', 'emperor.js');

let helpText = null;
export async function emperorHelp() {
  if (helpText === null) {
    const r = await run(process.execPath, [BIN, '--help'], { timeout: 20_000 });
    helpText = r.code === 0 ? r.stdout + r.stderr : '';
    if (!helpText) throw new Error(`node bin/emperor.js --help failed (exit ${r.code}): ${(r.stderr || r.stdout).slice(0, 400)}`);
  }
  return helpText;
}
export const hasFlag = async (flag) => (await emperorHelp()).includes(flag);

export function emperorVersion() {
  return JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
}

export class Emperor {
  constructor(work, name = 'emperor') {
    this.dir = mkdirp(join(work, name));
    rmSync(this.dir, { recursive: true, force: true });
    this.vassals = mkdirp(join(this.dir, 'vassals'));
    this.runDir = mkdirp(join(this.dir, 'run'));
    this.control = join(this.runDir, 'control.sock');
    this.logs = [];
    this.spawned = new Set();
    this.listeners = new Set();
    this.args = [];
  }

  async start({ args = [], cpuProf = null, nodeArgs = [] } = {}) {
    this.args = ['--vassals', this.vassals, '--run-dir', this.runDir, '--log-format', 'json', ...args];
    const pre = cpuProf ? ['--cpu-prof', '--cpu-prof-dir', mkdirp(cpuProf)] : [];
    this.proc = startGroup(process.execPath, [...nodeArgs, ...pre, BIN, ...this.args], {
      onLine: (line) => {
        if (line[0] !== '{') return;
        let rec;
        try {
          rec = JSON.parse(line);
        } catch {
          return;
        }
        rec.recvAt = now();
        this.logs.push(rec);
        const pid = rec.instancePid ?? rec.pid; // instancePid since the logs work; pid before
        if (rec.event === 'spawned' && typeof pid === 'number') this.spawned.add(pid);
        for (const l of this.listeners) l(rec);
      },
    });
    this.pid = this.proc.pid;
    await waitFor(() => this.logs.some((l) => String(l.msg).includes('watching')) || this.proc.exitCode_ !== undefined, { timeout: 20_000, message: 'emperor watching', interval: 10 });
    if (this.proc.exitCode_ !== undefined) throw new Error('emperor exited at start');
    return this;
  }

  path(name, ext = 'yml') {
    return join(this.vassals, `${name}.${ext}`);
  }

  write(name, text, ext = 'yml') {
    atomicWrite(this.path(name, ext), text);
  }

  touch(name, ext = 'yml') {
    touch(this.path(name, ext));
  }

  remove(name, ext = 'yml') {
    rmSync(this.path(name, ext), { force: true });
  }

  api(path, method = 'GET', timeout = 30_000) {
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath: this.control, path, method, timeout, agent: false }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (data += c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode, body: data ? JSON.parse(data) : null });
          } catch {
            resolve({ status: res.statusCode, body: data });
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error('control API timeout')));
      req.on('error', reject);
      req.end();
    });
  }

  async list() {
    const r = await this.api('/vassals');
    return r.body?.vassals ?? [];
  }

  /** Resolves with the first log record (from now on) that satisfies pred. */
  waitEvent(pred, timeout = 30_000, message = 'event') {
    return new Promise((resolve, reject) => {
      const l = (rec) => {
        if (!pred(rec)) return;
        this.listeners.delete(l);
        clearTimeout(t);
        resolve(rec);
      };
      const t = setTimeout(() => {
        this.listeners.delete(l);
        reject(new Error(`emperor: timed out waiting for ${message}`));
      }, timeout);
      this.listeners.add(l);
    });
  }

  events(vassal, event) {
    return this.logs.filter((l) => (vassal === undefined || l.vassal === vassal) && (event === undefined || l.event === event));
  }

  async stop(timeout = 60_000) {
    if (!this.proc) return;
    await endGroup(this.proc, 'SIGTERM', timeout);
    // Instances live in their own process groups: end any the emperor left behind.
    for (const pid of this.spawned) {
      if (alive(pid) || groupMembers(pid).length > 0) {
        signal(-pid, 'SIGKILL');
        signal(pid, 'SIGKILL');
      }
    }
    this.proc = null;
  }
}

/** A vassal running the bench's HTTP app on a held socket. */
export function appVassal({ port, reload, dance = false, mark = '', held = true }) {
  const app = join(REPO, 'bench', 'apps', 'http-app.cjs');
  return [
    `# bench ${mark}`,
    'emperor:',
    `  command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(app)}]`,
    held ? `  sockets: { http: "127.0.0.1:${port}" }` : `  env: { PORT: "${port}" }`,
    '  ready: notify',
    '  stop-timeout: 10s',
    reload ? `  reload: ${reload}` : '',
    dance ? '  standin: { env: { BENCH_STANDIN: "1" } }' : '',
    '',
  ].join('\n');
}

export function sleepVassal(mark = '') {
  return `# ${mark}\nemperor:\n  command: [sleep, infinity]\n  stop-timeout: 5s\n`;
}
