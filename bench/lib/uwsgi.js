// Driver for the uWSGI Emperor (Debian's uwsgi-core with the python3 plugin): `uwsgi --emperor DIR`
// in its own process group, vassals as .ini files.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appendFileSync } from 'node:fs';
import { atomicWrite, endGroup, mkdirp, run, startGroup, touch, waitFor } from './util.js';

export const WSGI_APP = resolve(import.meta.dirname, '..', 'apps', 'wsgi_app.py');

export async function uwsgiVersion() {
  const r = await run('uwsgi', ['--version']);
  return r.stdout.trim();
}

export class UwsgiEmperor {
  constructor(work, name = 'uwsgi') {
    this.dir = join(work, name);
    rmSync(this.dir, { recursive: true, force: true });
    this.vassals = mkdirp(join(this.dir, 'vassals'));
    this.sockDir = mkdirp(join(this.dir, 'sock'));
    this.log = join(this.dir, 'emperor.log');
  }

  async start({ freq = null, args = [] } = {}) {
    this.args = ['--emperor', this.vassals, ...(freq ? ['--emperor-freq', String(freq)] : []), '--logto', this.log, ...args];
    this.proc = startGroup('uwsgi', this.args, { stdout: 'ignore' });
    this.pid = this.proc.pid;
    await waitFor(() => {
      try {
        return require_('fs').readFileSync(this.log, 'utf8').includes('emperor') || true;
      } catch {
        return false;
      }
    }, { timeout: 5000 });
    return this;
  }

  path(name) {
    return join(this.vassals, `${name}.ini`);
  }

  write(name, text) {
    atomicWrite(this.path(name), text);
  }

  touch(name) {
    touch(this.path(name));
  }

  remove(name) {
    rmSync(this.path(name), { force: true });
  }

  async stop() {
    // SIGINT stops the emperor and its vassals; the group gets SIGKILL if that takes too long.
    await endGroup(this.proc, 'SIGINT', 20_000);
  }
}

import { createRequire } from 'node:module';
const require_ = createRequire(import.meta.url);

/** A uWSGI vassal serving the bench's WSGI app over HTTP (master + 1 worker). */
export function wsgiVassal({ port, mark = '' }) {
  return `; bench ${mark}\n[uwsgi]\nplugin = python3\nhttp-socket = 127.0.0.1:${port}\nwsgi-file = ${WSGI_APP}\nmaster = true\nprocesses = 1\ndisable-logging = true\n`;
}

/** A minimal uWSGI vassal (no app, one process, a unix socket) for the scale scenario. */
export function minimalVassal(sockDir, i) {
  return `[uwsgi]\nsocket = ${join(sockDir, `${i}.sock`)}\nprocesses = 1\ndisable-logging = true\n`;
}
