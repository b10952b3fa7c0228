// Real uWSGI vassals under the emperor, speaking uWSGI's emperor protocol.
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { groupMembers, isAlive } from '../../src/runtime/process-group.js';
import { Emperor, emperorPool, FIXTURES } from '../helpers/emperor.js';
import { request } from '../helpers/http.js';
import { requireUwsgi } from '../helpers/uwsgi.js';
import { freePort } from '../helpers/ports.js';
import { touch } from '../helpers/touch.js';
import { waitFor } from '../helpers/wait-for.js';

const pool = emperorPool();
const fresh = (): Emperor => pool.fresh();
beforeAll(() => {
  requireUwsgi();
});
afterEach(async () => {
  expect(await pool.cleanupAll()).toEqual([]);
});


function uwsgiVassal(port: number, app = 'hello.py', extra = ''): string {
  return [
    'uwsgi:',
    '  plugins: python3',
    '  http-socket: fd://3',
    `  wsgi-file: ${join(FIXTURES, 'wsgi', app)}`,
    '  master: true',
    '  processes: 1',
    '  need-app: true',
    extra,
    'emperor:',
    `  sockets: { http: "127.0.0.1:${port}" }`,
    '  stop-timeout: 10s',
  ].join('\n') + '\n';
}

describe('uWSGI vassals', () => {
  test('are ready on the accepting byte and serve through the held socket', async () => {
    const em = await fresh().start();
    const port = await freePort();
    em.write('py.yml', uwsgiVassal(port));
    const s = await em.waitRunning('py', 20_000);
    expect(s.instances[0]?.uwsgi).toMatchObject({ loaded: true, accepting: true });
    const r = await request({ port, path: '/' });
    expect(r.body).toMatch(/hello from uwsgi worker/);
  });

  test('a touch is a graceful reload in place that keeps the pid', async () => {
    const em = await fresh().start();
    const port = await freePort();
    const file = em.write('py.yml', uwsgiVassal(port));
    const before = await em.waitRunning('py', 20_000);
    touch(file);
    await waitFor(() => em.events('py', 'reload-done').length > 0, { message: 'reloaded in place', timeout: 20_000 });
    const after = await em.waitRunning('py');
    expect(after.pid).toBe(before.pid);
    expect(after.generation).toBe(before.generation);
    expect((await request({ port, path: '/' })).status).toBe(200);
  });

  test('stop is graceful (byte 2): the master exits by itself, no SIGKILL', async () => {
    const em = await fresh().start();
    const port = await freePort();
    em.write('py.yml', uwsgiVassal(port));
    const s = await em.waitRunning('py', 20_000);
    const r = await em.api<{ ok: boolean }>('/vassals/py/stop', 'POST');
    expect(r.body.ok).toBe(true);
    const after = await em.status('py');
    expect(after?.state).toBe('stopped');
    expect(after?.lastExit).toMatchObject({ expected: true, signal: null });
    expect(em.events('py', 'killing')).toHaveLength(0);
    expect(isAlive(s.pid!)).toBe(false);
  });

  test('a crashed master is respawned', async () => {
    const em = await fresh().start();
    const port = await freePort();
    em.write('py.yml', uwsgiVassal(port));
    const s = await em.waitRunning('py', 20_000);
    process.kill(s.pid!, 'SIGKILL');
    const again = await em.waitStatus('py', (x) => x.state === 'running' && x.generation === 2, 'respawned', 20_000);
    expect(again.pid).not.toBe(s.pid);
    expect((await request({ port, path: '/' })).status).toBe(200);
  });

  test('when the emperor is SIGKILLed, uWSGI vassals exit by themselves within 5 s', async () => {
    const em = await fresh().start();
    const port = await freePort();
    em.write('py.yml', uwsgiVassal(port));
    const s = await em.waitRunning('py', 20_000);
    const members = groupMembers(s.pid!);
    expect(members.length).toBeGreaterThanOrEqual(2); // master and a worker
    const t0 = Date.now();
    await em.kill9();
    await waitFor(() => members.every((pid) => !isAlive(pid)), { message: 'uWSGI master and workers gone', timeout: 5000 });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  test('a WSGI app with a syntax error is throttled and shown with the reason from its output', async () => {
    const em = await fresh().start();
    const port = await freePort();
    em.write('bad.yml', uwsgiVassal(port, 'broken.py'));
    const s = await em.waitStatus('bad', (x) => x.state === 'throttled' && x.restarts >= 2, 'throttled', 30_000);
    expect(s.lastExit?.output ?? '').toMatch(/SyntaxError|no app loaded|GAME OVER|invalid syntax/i);
    expect(s.note).toMatch(/SyntaxError|no app loaded|GAME OVER|invalid syntax/i);
  });

  test('a vassal that stops sending heartbeats is killed and respawned', async () => {
    const em = await fresh().start();
    const port = await freePort();
    const file = em.write('hb.yml', uwsgiVassal(port, 'hello.py', '  heartbeat: 1').replace('  stop-timeout: 10s', '  stop-timeout: 10s\n  heartbeat-timeout: 4s'));
    void file;
    const s = await em.waitStatus('hb', (x) => x.state === 'running' && x.instances[0]?.uwsgi?.lastHeartbeatAt != null, 'heartbeats seen', 20_000);
    process.kill(-s.pid!, 'SIGSTOP'); // the whole vassal hangs: no more heartbeats (its workers send them too)
    const again = await em.waitStatus('hb', (x) => x.state === 'running' && x.generation === 2, 'respawned after missing heartbeats', 30_000);
    expect(again.pid).not.toBe(s.pid);
    expect(em.events('hb', 'killing').some((l) => String(l.msg).includes('heartbeat'))).toBe(true);
  }, 45_000);
});
