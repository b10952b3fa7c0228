// The web dashboard in a real browser: Debian's chromium, headless, driven by playwright-core,
// against a real emperor with real vassals on its --http listener (with a token).
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { emperorPool, FOREVER, nodeVassal, REPO, type Emperor } from '../helpers/emperor.js';
import { freePort } from '../helpers/ports.js';
import { request } from '../helpers/http.js';
import { waitFor } from '../helpers/wait-for.js';
import { ensureBuilt, runCli } from '../cli/helpers/run-cli.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OUTPUT = join(REPO, 'test-output', 'dashboard');
const DEMO = join(REPO, 'vassals.example', 'apps', 'demo-server.js');
const TOKEN = 'test-token-0123456789abcdef';

const pool = emperorPool();
afterEach(async () => {
  expect(await pool.cleanupAll()).toEqual([]);
});

// The emperor with its dashboard listener on an ephemeral loopback port (with a token file of
// mode 0600 when `withToken`); resolves its address.
async function emperorWithHttp(withToken: boolean): Promise<{ em: Emperor; origin: string }> {
  ensureBuilt();
  const em = pool.fresh();
  await em.start({ args: ['--http', '127.0.0.1:0', ...(withToken ? ['--http-token', tokenFile(em)] : [])] });
  const rec = await waitFor(() => em.logs.find((l) => typeof l.http === 'string'), { message: 'dashboard listening' });
  return { em, origin: `http://${String(rec.http)}` };
}

function tokenFile(em: Emperor): string {
  const file = join(em.dir, 'token');
  writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
  return file;
}

// A raw request with chosen headers (fetch would set Origin and Host itself).
function raw(origin: string, path: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  const url = new URL(path, origin);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard in chromium', () => {
  let profile: string;
  let context: BrowserContext;
  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'emperor-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  }, 90_000);
  afterAll(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  }, 90_000);

  test('shows the fleet live, new files and new pids without a reload, dances step by step; actions need the token', async () => {
    const { em, origin } = await emperorWithHttp(true);
    em.write('web.yml', nodeVassal(FOREVER, '  ready: spawn\n'));
    em.write('app.yml', `emperor:\n  command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(DEMO)}]\n  sockets: { http: "127.0.0.1:${await freePort()}" }\n  ready: notify\n  reload: dance\n  standin: { env: { JOB_HANDLERS: "0" } }\n`);
    const web = await em.waitRunning('web');
    await em.waitRunning('app');

    const page: Page = await context.newPage();
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(`${origin}/`)) foreign.push(r.url());
    });
    page.on('dialog', (d) => void d.accept());
    // The token in the fragment never reaches the server's logs; the page trades it for a cookie.
    await page.goto(`${origin}/#token=${TOKEN}`);
    const row = (name: string): ReturnType<Page['locator']> => page.locator(`tr[data-vassal="${name}"]`);
    await row('web').locator('td.state', { hasText: 'running' }).waitFor();
    expect(await row('web').locator('td.pid').textContent()).toBe(String(web.pid));
    expect(page.url()).toBe(`${origin}/`);

    // A dropped file appears without reloading the page.
    em.write('dropped.yml', nodeVassal(FOREVER, '  ready: spawn\n'));
    await row('dropped').locator('td.state', { hasText: 'running' }).waitFor({ timeout: 15_000 });

    // A killed instance shows its new pid.
    process.kill(-(web.pid ?? 0), 'SIGKILL');
    await waitFor(async () => {
      const text = await row('web').locator('td.pid').textContent();
      return text !== null && /^\d+$/.test(text) && text !== String(web.pid);
    }, { message: 'the new pid of web on the page', timeout: 15_000 });
    expect(await row('web').locator('td.restarts').textContent()).toBe('1');

    // Restart dance: confirmed, then each step with its duration, then done.
    await row('app').locator('button[data-action="dance"]').click();
    const box = page.locator('div[data-dance="app"]');
    await box.locator('li[data-step="dance-done"]').waitFor({ timeout: 30_000 });
    const steps = await box.locator('li').allTextContents();
    expect(steps[0]).toBe('stand-in starting');
    expect(steps.slice(1)).toEqual([
      expect.stringMatching(/^stand-in ready in \d+(\.\d+)?s$/),
      expect.stringMatching(/^old instance stopped in \d+(\.\d+)?s: job handling paused$/),
      expect.stringMatching(/^new instance ready in \d+(\.\d+)?s: job handling resumed$/),
      expect.stringMatching(/^stand-in stopped in \d+(\.\d+)?s$/),
      expect.stringMatching(/^restart dance done in \d+(\.\d+)?s$/),
    ]);
    await page.locator('#events li', { hasText: 'app: restart dance done' }).first().waitFor();

    // The output of a vassal, on a click of its name.
    await row('app').locator('td.name').click();
    await page.locator('#logs', { hasText: 'listening' }).waitFor();

    // Without the CSRF token, the browser's own cookie is not enough; without any token, nothing.
    const noCsrf = await page.evaluate(async () => (await fetch('/vassals/web/stop', { method: 'POST' })).status);
    expect(noCsrf).toBe(403);
    const anonymous = await request({ port: Number(new URL(origin).port), path: '/vassals/web/stop', method: 'POST' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: { code: 'EMP_ERR_UNAUTHORIZED' } });
    expect((await raw(origin, '/vassals')).status).toBe(401);
    expect((await raw(origin, '/vassals', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await em.status('web'))?.state).toBe('running');

    await page.screenshot({ path: join(OUTPUT, 'dashboard.png'), fullPage: true });
    expect(foreign).toEqual([]);
    await page.close();
  }, 90_000);
});

describe('the --http listener without a browser', () => {
  test('without a token it is read-only, answers only addresses as Host, and refuses cross-origin POSTs', async () => {
    const { em, origin } = await emperorWithHttp(false);
    em.write('web.yml', nodeVassal(FOREVER, '  ready: spawn\n'));
    await em.waitRunning('web');
    expect((await raw(origin, '/vassals')).status).toBe(200);
    expect((await raw(origin, '/')).body).toContain('<title>emperor</title>');
    const post = await raw(origin, '/vassals/web/stop', { method: 'POST' });
    expect(post.status).toBe(403);
    expect(post.body).toContain('read-only without --http-token');
    const rebound = await raw(origin, '/vassals', { headers: { host: 'evil.example:80' } });
    expect(rebound.status).toBe(403);
    expect((await em.status('web'))?.state).toBe('running');
    // The control socket itself refuses a browser's cross-origin POST too.
    const cross = await new Promise<number>((resolve, reject) => {
      const req = http.request({ socketPath: em.control, path: '/vassals/web/stop', method: 'POST', headers: { origin: 'http://evil.example', host: 'x' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(cross).toBe(403);
    expect((await em.status('web'))?.state).toBe('running');
  }, 90_000);

  test('the dashboard page is served on the control socket too', async () => {
    ensureBuilt();
    const em = await pool.fresh().start();
    const r = await request({ socketPath: em.control, path: '/' });
    expect(r.status).toBe(200);
    expect(r.body).toContain('/dashboard/app.js');
    expect((await request({ socketPath: em.control, path: '/session' })).json()).toEqual({ access: 'full', listener: 'socket', csrf: null });
  }, 90_000);

  test('a non-loopback address needs --http-token; a token file must be private and long enough', async () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'emperor-http-'));
    try {
      const open = await runCli(['--vassals', dir, '--run-dir', join(dir, 'run'), '--http', '0.0.0.0:0']);
      expect(open.code).toBe(2);
      expect(open.stderr).toContain('not a loopback address, so --http-token FILE is required');
      const loose = join(dir, 'loose');
      writeFileSync(loose, `${TOKEN}\n`, { mode: 0o644 });
      const r1 = await runCli(['--vassals', dir, '--run-dir', join(dir, 'run'), '--http', '0.0.0.0:0', '--http-token', loose]);
      expect(r1.code).toBe(2);
      expect(r1.stderr).toContain('chmod 600');
      const short = join(dir, 'short');
      writeFileSync(short, 'abc\n', { mode: 0o600 });
      const r2 = await runCli(['--vassals', dir, '--run-dir', join(dir, 'run'), '--http', '127.0.0.1:0', '--http-token', short]);
      expect(r2.code).toBe(2);
      expect(r2.stderr).toContain('at least 16 characters');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
