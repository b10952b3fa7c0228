// A uWSGI instance stopped gracefully while another serves its held socket answers every
// connection its workers accepted. uWSGI's own graceful stop of a single-threaded worker can
// close one it has just accepted (src/runtime/uwsgi-pause.ts says why); the emperor pauses the
// workers first.
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Emperor, FIXTURES } from '../helpers/emperor.js';
import { connectionLoad } from '../helpers/conn-load.js';
import { requireUwsgi } from '../helpers/uwsgi.js';
import { freePort } from '../helpers/ports.js';
import { touch } from '../helpers/touch.js';

let em: Emperor;
beforeAll(() => {
  requireUwsgi();
});
afterEach(async () => {
  expect(await em.cleanup()).toEqual([]);
});

describe('uWSGI graceful stop under load', () => {
  test('overlap reloads of 8 single-threaded workers under new-connection load fail 0 requests: each old instance is paused, then stopped', async () => {
    em = await new Emperor().start();
    const port = await freePort();
    const log = join(em.dir, 'py.log');
    const file = em.write('py.yml', [
      'uwsgi:',
      '  plugins: python3',
      '  http-socket: fd://3',
      `  wsgi-file: ${join(FIXTURES, 'wsgi', 'hello.py')}`,
      '  master: true',
      '  processes: 8',
      '  need-app: true',
      'emperor:',
      `  sockets: { http: "127.0.0.1:${port}" }`,
      '  reload: overlap',
      `  logto: ${log}`,
      '  stop-timeout: 10s',
    ].join('\n') + '\n');
    await em.waitRunning('py', 20_000);
    const reloads = 6;
    let done = false;
    const load = connectionLoad(port, { seconds: 600, workers: 16, until: () => done });
    for (let g = 2; g <= reloads + 1; g++) {
      touch(file);
      await em.waitStatus('py', (s) => s.state === 'running' && s.generation === g && s.instances.length === 1, `generation ${g} alone`, 30_000);
    }
    done = true;
    const result = await load;
    expect(result.failures).toEqual({});
    expect(result.ok).toBeGreaterThan(100);
    // uWSGI's own words for a pause, once for every instance the reloads stopped
    expect(readFileSync(log, 'utf8').match(/\*\*\* PAUSE/g)?.length).toBe(reloads);
  }, 300_000);
});
