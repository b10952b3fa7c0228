// The --http listener's access rules, the event stream as Server-Sent Events, ?usage=1 and the
// per-vassal process series, against a control server backed by an in-memory supervisor.
import { afterEach, describe, expect, test } from '@jest/globals';
import http from 'node:http';
import { join } from 'node:path';
import { startControlServer, type ControlServer } from '../../src/control/server.js';
import { addVassalProcessSeries } from '../../src/control/vassal-process-metrics.js';
import { MemorySupervisor, makeStatus } from './helpers/memory-supervisor.js';
import { tempDir } from './helpers/temp-dir.js';

const TOKEN = 'a-token-of-sixteen-or-more';
let server: ControlServer | undefined;
let removeDir: (() => Promise<void>) | undefined;
afterEach(async () => {
  await server?.close();
  await removeDir?.();
  server = undefined;
});

async function listen(token: string | null): Promise<{ base: string; supervisor: MemorySupervisor; socketPath: string }> {
  const dir = await tempDir();
  removeDir = dir.remove;
  const supervisor = new MemorySupervisor([makeStatus('web'), makeStatus('idle', { pid: null, state: 'stopped' })]);
  const socketPath = join(dir.path, 'control.sock');
  server = await startControlServer(supervisor, { socketPath, http: { host: '127.0.0.1', port: 0, token } });
  return { base: `http://${server.httpAddress}`, supervisor, socketPath };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; socketPath?: string } = {}): Promise<Reply> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, socketPath: opts.socketPath, path: u.pathname + u.search, method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

describe('--http without a token', () => {
  test('serves every GET, refuses every POST, and answers only addresses as Host', async () => {
    const { base, supervisor } = await listen(null);
    expect((await send(`${base}/vassals`)).status).toBe(200);
    expect(JSON.parse((await send(`${base}/session`)).body)).toEqual({ access: 'read-only', listener: 'tcp', csrf: null });
    const post = await send(`${base}/vassals/web/stop`, { method: 'POST' });
    expect(post.status).toBe(403);
    expect(JSON.parse(post.body).error.code).toBe('EMP_ERR_FORBIDDEN');
    expect(supervisor.calls).toEqual([]);
    expect((await send(`${base}/vassals`, { headers: { host: 'attacker.example:8080' } })).status).toBe(403);
    expect((await send(`${base}/vassals`, { headers: { host: 'localhost:8080' } })).status).toBe(200);
    expect((await send(`${base}/vassals`, { headers: { host: '[::1]:8080' } })).status).toBe(200);
  });
});

describe('--http with a token', () => {
  test('needs the token for the API; the page, its assets and /session are open', async () => {
    const { base } = await listen(TOKEN);
    for (const path of ['/', '/dashboard/app.js', '/dashboard/style.css', '/session']) expect({ path, status: (await send(`${base}${path}`)).status }).toEqual({ path, status: 200 });
    expect((await send(`${base}/dashboard/..%2F..%2Fpackage.json`)).status).toBe(404);
    const page = await send(`${base}/`);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    for (const path of ['/vassals', '/events', '/metrics', '/vassals/web/logs', '/emperor']) {
      const r = await send(`${base}${path}`);
      expect({ path, status: r.status, code: JSON.parse(r.body).error.code }).toEqual({ path, status: 401, code: 'EMP_ERR_UNAUTHORIZED' });
    }
    expect((await send(`${base}/vassals`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await send(`${base}/vassals`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
  });

  test('a login gives a cookie; its POSTs need the session CSRF token; Bearer needs none', async () => {
    const { base, supervisor } = await listen(TOKEN);
    expect((await send(`${base}/login`, { method: 'POST', body: JSON.stringify({ token: 'nope' }) })).status).toBe(401);
    const login = await send(`${base}/login`, { method: 'POST', body: JSON.stringify({ token: TOKEN }) });
    expect(login.status).toBe(200);
    const setCookie = login.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(/^emperor_session=[\w-]+; HttpOnly; SameSite=Strict; Path=\//);
    const cookie = setCookie.split(';')[0] ?? '';
    const session = JSON.parse((await send(`${base}/session`, { headers: { cookie } })).body) as { access: string; csrf: string };
    expect(session.access).toBe('full');
    expect((await send(`${base}/vassals`, { headers: { cookie } })).status).toBe(200);
    const noCsrf = await send(`${base}/vassals/web/stop`, { method: 'POST', headers: { cookie } });
    expect(noCsrf.status).toBe(403);
    expect(supervisor.calls).toEqual([]);
    const withCsrf = await send(`${base}/vassals/web/stop?wait=0`, { method: 'POST', headers: { cookie, 'x-csrf-token': session.csrf } });
    expect(withCsrf.status).toBe(200);
    const bearer = await send(`${base}/vassals/web/start?wait=0`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bearer.status).toBe(200);
    expect(supervisor.calls.map((c) => c.action)).toEqual(['stop', 'start']);
  });

  test("a browser's cross-origin POST is refused, on TCP and on the socket", async () => {
    const { base, supervisor, socketPath } = await listen(TOKEN);
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await send(`${base}/vassals/web/stop`, { method: 'POST', headers: { ...auth, origin: 'http://attacker.example' } })).status).toBe(403);
    expect((await send(`${base}/vassals`, { headers: { ...auth, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' } })).status).toBe(403);
    expect((await send('http://x/vassals/web/stop', { socketPath, method: 'POST', headers: { origin: 'http://attacker.example', host: 'x' } })).status).toBe(403);
    expect(supervisor.calls).toEqual([]);
    // The page's own origin is fine.
    expect((await send(`${base}/vassals/web/stop?wait=0`, { method: 'POST', headers: { ...auth, origin: base } })).status).toBe(200);
  });
});

describe('events as Server-Sent Events, usage, metrics', () => {
  test('an EventSource gets text/event-stream with one data: message per event', async () => {
    const { supervisor, socketPath } = await listen(null);
    const got = await new Promise<{ type: string; text: string }>((resolve, reject) => {
      const req = http.request({ socketPath, path: '/events', headers: { accept: 'text/event-stream' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
          if (text.includes('\n\n')) {
            req.destroy();
            resolve({ type: String(res.headers['content-type']), text });
          }
        });
        supervisor.emit({ at: 1, vassal: 'web', type: 'loaded', level: 'info', message: 'vassal file loaded' });
      });
      req.on('error', reject);
      req.end();
    });
    expect(got.type).toMatch(/^text\/event-stream/);
    expect(got.text).toBe('data: {"at":1,"vassal":"web","type":"loaded","level":"info","message":"vassal file loaded"}\n\n');
  });

  test('?usage=1 adds usage; /metrics has per-vassal process series next to the emperor\'s own', async () => {
    const { socketPath } = await listen(null);
    const plain = JSON.parse((await send('http://x/vassals', { socketPath })).body) as { vassals: Record<string, unknown>[] };
    expect(plain.vassals[0]).not.toHaveProperty('usage');
    const withUsage = JSON.parse((await send('http://x/vassals?usage=1', { socketPath })).body) as { vassals: Record<string, unknown>[] };
    expect(withUsage.vassals.map((v) => v['usage'])).toEqual([{ cpuPercent: 1.5, cpuSeconds: 2, rssBytes: 10 * 1024 * 1024, processes: 1 }, null]);
    const metrics = (await send('http://x/metrics', { socketPath })).body;
    const family = metrics.split('\n').filter((l) => l.startsWith('process_resident_memory_bytes'));
    expect(family).toEqual([expect.stringMatching(/^process_resident_memory_bytes \d+$/), 'process_resident_memory_bytes{vassal="idle"} 0', `process_resident_memory_bytes{vassal="web"} ${10 * 1024 * 1024}`]);
    expect(metrics).toContain('process_cpu_seconds_total{vassal="web"} 2\n');
  });

  test('the series are added even without the default family, with label values escaped', () => {
    const text = addVassalProcessSeries('# HELP x y\nx 1\n', new Map([['a"b', { cpuPercent: null, cpuSeconds: 1, rssBytes: 2, processes: 1 }]]));
    expect(text).toContain('# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total{vassal="a\\"b"} 1');
    expect(text).toContain('# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes{vassal="a\\"b"} 2');
  });
});
