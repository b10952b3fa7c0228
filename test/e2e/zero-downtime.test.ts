// Held sockets, readiness, overlap reloads and the restart dance, under real load on 127.0.0.1.
import { afterEach, describe, expect, test } from '@jest/globals';
import { readFileSync, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import net from 'node:net';
import { isAlive } from '../../src/runtime/process-group.js';
import { Emperor, REPO } from '../helpers/emperor.js';
import { request } from '../helpers/http.js';
import { moreResponses, startLoad } from '../helpers/load.js';
import { freePort } from '../helpers/ports.js';
import { touch } from '../helpers/touch.js';
import { waitFor } from '../helpers/wait-for.js';

const DEMO = join(REPO, 'vassals.example', 'apps', 'demo-server.js');

let em: Emperor;
afterEach(async () => {
  const leaked = await em.cleanup();
  expect(leaked).toEqual([]);
});


function demoVassal(port: number, opts: { reload?: string; env?: Record<string, string>; standin?: string; extra?: string } = {}): string {
  const env = { WORKER_LOG: join(em.dir, 'worker.log'), ...(opts.env ?? {}) };
  return [
    'emperor:',
    `  command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(DEMO)}]`,
    `  sockets: { http: "127.0.0.1:${port}" }`,
    '  ready: notify',
    '  ready-timeout: 5s',
    '  stop-timeout: 10s',
    `  env: ${JSON.stringify(env)}`,
    opts.reload ? `  reload: ${opts.reload}` : '',
    opts.standin ?? '',
    opts.extra ?? '',
  ].join('\n') + '\n';
}

interface WorkerRecord { event: 'start' | 'stop'; pid: number; generation: string; at: number }

// Reads the singleton worker's start/stop records and checks that no two ever overlap.
function workerIntervals(): WorkerRecord[] {
  const file = join(em.dir, 'worker.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as WorkerRecord);
}

function expectNoSingletonOverlap(records: WorkerRecord[]): void {
  let running: WorkerRecord | null = null;
  for (const r of records) {
    if (r.event === 'start') {
      expect(running).toBeNull();
      running = r;
    } else {
      expect(running?.pid).toBe(r.pid);
      running = null;
    }
  }
}

describe('held sockets', () => {
  test('with no instance running, a connection waits in the queue and is served by the next instance', async () => {
    em = await new Emperor().start();
    const port = await freePort();
    em.write('slow.yml', demoVassal(port, { env: { DEMO_STARTUP_DELAY_MS: '1500' } }));
    await em.waitStatus('slow', (s) => s.sockets.length === 1, 'socket held');
    const t0 = Date.now();
    const reply = await request({ port, path: '/whoami', timeoutMs: 10_000 });
    const who = reply.json<{ pid: number }>();
    const s = await em.waitRunning('slow');
    expect(who.pid).toBe(s.pid);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500); // it really waited for the instance
  });

  test('a unix socket is held and served the same way, with its mode', async () => {
    em = await new Emperor().start();
    const path = join(em.dir, 'web.sock');
    em.write('unix.yml', demoVassal(0).replace('sockets: { http: "127.0.0.1:0" }', `sockets: { http: { address: "unix:${path}", mode: "0600" } }`));
    const s = await em.waitRunning('unix');
    expect(s.sockets[0]?.address).toBe(`unix:${path}`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const who = (await request({ socketPath: path, path: '/whoami' })).json<{ pid: number }>();
    expect(who.pid).toBe(s.pid);
  });

  test('a unix socket path that a live process serves is never taken over', async () => {
    em = await new Emperor().start();
    const path = join(em.dir, 'taken.sock');
    const other = net.createServer().listen(path);
    await new Promise((r) => other.once('listening', r));
    em.write('unix.yml', demoVassal(0).replace('sockets: { http: "127.0.0.1:0" }', `sockets: { http: "unix:${path}" }`));
    const s = await em.waitStatus('unix', (x) => x.state === 'broken', 'broken');
    expect(s.error).toMatch(/another process is listening/);
    expect(existsSync(path)).toBe(true);
    await new Promise((r) => other.close(r));
  });

  test('an IPv6 socket on [::1] is held and served', async () => {
    em = await new Emperor().start();
    const port = await freePort();
    em.write('v6.yml', demoVassal(port).replace(`"127.0.0.1:${port}"`, `"[::1]:${port}"`));
    const s = await em.waitRunning('v6');
    expect(s.sockets[0]?.address).toBe(`[::1]:${port}`);
    const body = await new Promise<string>((resolve, reject) => {
      http.get({ host: '::1', port, path: '/whoami', agent: false }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(JSON.parse(body).pid).toBe(s.pid);
  });

  test('a port already in use marks the vassal broken with the bind error', async () => {
    em = await new Emperor().start();
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as net.AddressInfo).port;
    em.write('taken.yml', demoVassal(port));
    const s = await em.waitStatus('taken', (x) => x.state === 'broken', 'broken');
    blocker.close();
    expect(s.error).toMatch(/EADDRINUSE/);
    expect(s.error).toContain(String(port));
  });

  test('instances get LISTEN_FDS, LISTEN_FDNAMES and their own pid as LISTEN_PID', async () => {
    em = await new Emperor().start();
    const port = await freePort();
    const code = "console.log('env', process.env.LISTEN_FDS, process.env.LISTEN_FDNAMES, process.env.LISTEN_PID === String(process.pid)); setInterval(()=>{},1000)";
    em.write('env.yml', `emperor:\n  command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(code)}]\n  sockets: { web: "127.0.0.1:${port}" }\n  ready: "log: ^env"\n`);
    await em.waitRunning('env');
    // NDJSON: the instance's line among the lifecycle lines around it.
    const lines = (await request({ socketPath: em.control, path: '/vassals/env/logs?n=10' })).body.trim().split('\n').map((l) => JSON.parse(l) as { stream: string; line: string });
    expect(lines).toContainEqual(expect.objectContaining({ stream: 'stdout', line: 'env 1 web true' }));
  });
});

describe('zero-downtime reloads', () => {
  test('an overlap reload under new-connection load fails 0 requests', async () => {
    em = await new Emperor().start();
    const port = await freePort();
    const file = em.write('web.yml', demoVassal(port));
    await em.waitRunning('web');
    const load = startLoad(port, { seconds: 4, newConnections: true });
    await moreResponses(load, 50, 'generation 1 serves the load before the first reload');
    touch(file);
    await em.waitStatus('web', (s) => s.state === 'running' && s.generation === 2, 'generation 2');
    touch(file);
    await em.waitStatus('web', (s) => s.state === 'running' && s.generation === 3, 'generation 3');
    const r = await load.done;
    expect(r.requests).toBeGreaterThan(100);
    expect(r.failed).toBe(0);
  });

  test('an overlap reload under keep-alive load fails 0 requests', async () => {
    em = await new Emperor().start();
    const port = await freePort();
    const file = em.write('web.yml', demoVassal(port));
    await em.waitRunning('web');
    const load = startLoad(port, { seconds: 4, newConnections: false });
    await moreResponses(load, 50, 'generation 1 serves the load before the reload');
    touch(file);
    await em.waitStatus('web', (s) => s.state === 'running' && s.generation === 2, 'generation 2', 20_000);
    const r = await load.done;
    expect(r.failed).toBe(0);
  });

  test('a new generation that never becomes ready is killed and the old one keeps serving', async () => {
    em = await new Emperor().start();
    const port = await freePort();
    const file = em.write('web.yml', demoVassal(port));
    const first = await em.waitRunning('web');
    em.write('web.yml', demoVassal(port, { env: { DEMO_STARTUP_DELAY_MS: '60000' }, extra: '  ready-timeout: 1s' }).replace('  ready-timeout: 5s\n', ''));
    await waitFor(() => em.events('web', 'reload-failed').length > 0, { message: 'reload failed', timeout: 15_000 });
    const s = await em.status('web');
    expect(s?.pid).toBe(first.pid);
    expect(s?.note).toMatch(/reload failed/);
    expect((await request({ port, path: '/whoami' })).json<{ pid: number }>().pid).toBe(first.pid);
    void file;
  });
});

describe('the restart dance', () => {
  const standin = '  standin: { env: { JOB_HANDLERS: "0" } }';

  test('five consecutive dances fail 0 requests and never double the singleton worker', async () => {
    em = await new Emperor().start();
    const port = await freePort();
    em.write('app.yml', demoVassal(port, { reload: 'dance', standin }));
    await em.waitRunning('app');
    const load = startLoad(port, { seconds: 12, newConnections: true });
    for (let i = 0; i < 5; i++) {
      const r = await em.api<{ ok: boolean; message: string }>('/vassals/app/dance', 'POST');
      expect(r.body.ok).toBe(true);
    }
    const result = await load.done;
    expect(result.failed).toBe(0);
    const records = workerIntervals();
    expect(records.filter((r) => r.event === 'start')).toHaveLength(6);
    expectNoSingletonOverlap(records);
    const steps = em.events('app', 'dance-step').map((l) => l.msg);
    expect(steps.some((m) => String(m).includes('job handling paused'))).toBe(true);
  }, 60_000);

  test('dances under keep-alive load fail 0 requests (the demo closes keep-alive connections gracefully)', async () => {
    em = await new Emperor().start();
    const port = await freePort();
    em.write('app.yml', demoVassal(port, { reload: 'dance', standin }));
    await em.waitRunning('app');
    const load = startLoad(port, { seconds: 8, newConnections: false });
    for (let i = 0; i < 2; i++) {
      const r = await em.api<{ ok: boolean }>('/vassals/app/dance', 'POST');
      expect(r.body.ok).toBe(true);
      await moreResponses(load, 50, `the new original serves the load after dance ${i + 1}`);
    }
    const result = await load.done;
    expect(result.requests).toBeGreaterThan(100);
    expect(result.failed).toBe(0);
  }, 40_000);

  test('a stand-in that never becomes ready fails the dance and leaves the original untouched', async () => {
    em = await new Emperor().start();
    const port = await freePort();
    em.write('app.yml', demoVassal(port, { reload: 'dance', standin: '  standin: { env: { JOB_HANDLERS: "0", DEMO_STARTUP_DELAY_MS: "60000" }, ready-timeout: 1s }' }));
    const first = await em.waitRunning('app');
    const r = await em.api<{ ok: boolean; message: string; failedStep?: string }>('/vassals/app/dance', 'POST');
    expect(r.status).toBe(409);
    expect(r.body.ok).toBe(false);
    expect(r.body.message).toMatch(/stand-in/);
    const s = await em.waitStatus('app', (x) => x.instances.length === 1, 'stand-in gone');
    expect(s.pid).toBe(first.pid);
    expect(s.state).toBe('running');
  });

  test('a new original that fails leaves the stand-in serving, degraded, until an original is ready', async () => {
    em = await new Emperor().start();
    const port = await freePort();
    const flag = join(em.dir, 'fail-original');
    // the original refuses to start while the flag file exists; the stand-in ignores it
    const wrapper = `if [ -e ${flag} ] && [ "$EMPEROR_ROLE" = main ]; then exit 1; fi; exec ${process.execPath} ${DEMO}`;
    em.write('app.yml', [
      'emperor:',
      `  command: ${JSON.stringify(wrapper)}`,
      `  sockets: { http: "127.0.0.1:${port}" }`,
      '  ready: notify',
      '  reload: dance',
      `  env: { WORKER_LOG: ${JSON.stringify(join(em.dir, 'worker.log'))} }`,
      standin,
    ].join('\n') + '\n');
    await em.waitRunning('app');
    (await import('node:fs')).writeFileSync(flag, '');
    void em.api('/vassals/app/dance', 'POST');
    const degraded = await em.waitStatus('app', (s) => s.state === 'degraded', 'degraded', 20_000);
    expect(degraded.instances.some((i) => i.role === 'standin' && i.state === 'ready')).toBe(true);
    const who = (await request({ port, path: '/whoami' })).json<{ role: string }>();
    expect(who.role).toBe('standin');
    (await import('node:fs')).rmSync(flag);
    const s = await em.waitStatus('app', (x) => x.state === 'running' && x.instances.length === 1, 'original back, stand-in stopped', 20_000);
    expect(s.instances[0]?.role).toBe('main');
    expectNoSingletonOverlap(workerIntervals());
  }, 60_000);

  test('a touch during a dance is not lost: the vassal ends up on its latest file', async () => {
    em = await new Emperor().start();
    const port = await freePort();
    const file = em.write('app.yml', demoVassal(port, { reload: 'dance', standin }));
    await em.waitRunning('app');
    const dance = em.api<{ ok: boolean }>('/vassals/app/dance', 'POST');
    await waitFor(() => em.events('app', 'dance-step').length > 0, { message: 'dance started' });
    em.write('app.yml', demoVassal(port, { reload: 'dance', standin, env: { MARK: 'v2' } }));
    void file;
    expect((await dance).body.ok).toBe(true);
    const again = await em.api<{ message: string }>('/vassals/app/dance', 'POST');
    void again;
    await waitFor(async () => {
      const s = await em.status('app');
      return s && s.state === 'running' && s.instances.length === 1 ? s : undefined;
    }, { message: 'settled', timeout: 30_000 });
    const who = (await request({ port, path: '/whoami' })).json<{ mark: string | null; role: string }>();
    expect(who).toMatchObject({ mark: 'v2', role: 'main' });
    expectNoSingletonOverlap(workerIntervals());
  }, 60_000);

  test('a second dance request during a dance is refused with a clear message', async () => {
    em = await new Emperor().start();
    const port = await freePort();
    em.write('app.yml', demoVassal(port, { reload: 'dance', standin }));
    await em.waitRunning('app');
    const first = em.api('/vassals/app/dance', 'POST');
    await waitFor(() => em.events('app', 'dance-step').length > 0, { message: 'dance started' });
    const second = await em.api<{ error: { code: string; message: string } }>('/vassals/app/dance', 'POST');
    expect(second.status).toBe(409);
    expect(second.body.error.message).toMatch(/already under way/);
    await first;
  });

  test('emperor SIGTERM during a dance leaves no process behind', async () => {
    em = await new Emperor().start();
    const port = await freePort();
    em.write('app.yml', demoVassal(port, { reload: 'dance', standin }));
    const s = await em.waitRunning('app');
    void em.api('/vassals/app/dance', 'POST').catch(() => undefined);
    await waitFor(() => em.events('app', 'spawned').length >= 2, { message: 'stand-in spawned' });
    expect(await em.stop()).toBe(0);
    expect(isAlive(s.pid!)).toBe(false);
  });
});
