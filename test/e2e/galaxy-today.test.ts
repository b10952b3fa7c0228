// Today's Galaxy (vassals.example/galaxy-today) end to end under one emperor, on the real
// programs: PostgreSQL and Redis as vassals (as their own users under root), gunicorn with
// --preload on a held socket, two named job handlers, a celery worker and celery beat.
// One stack for the whole file; every guarantee is read back from the database.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import type { VassalStatus } from '../../src/core/status.js';
import { Emperor, REPO } from '../helpers/emperor.js';
import { requireGalaxyPrograms } from '../helpers/galaxy-programs.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';
import { runCli } from '../cli/helpers/run-cli.js';

const VASSALS = ['postgres', 'redis', 'web', 'handler0', 'handler1', 'celery', 'beat'] as const;
const root = process.getuid?.() === 0;
let em: Emperor;
let ports: { web: number; pg: number; redis: number };

// Runs SQL in the stack's database; rows as arrays of strings.
function sql(query: string): string[][] {
  const out = execFileSync('psql', ['-h', '127.0.0.1', '-p', String(ports.pg), '-U', 'galaxy', '-d', 'galaxy', '-At', '-F', '|', '-c', query], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((l) => l.split('|'));
}

// Copies the example into the vassals dir on free ports (var/postgres is made by the emperor: `dirs`).
function install(): void {
  cpSync(join(REPO, 'vassals.example', 'galaxy-today'), em.vassals, { recursive: true, filter: (src) => !src.includes('__pycache__') && !/var\/(?!\.gitignore)/.test(src.slice(REPO.length)) });
  for (const file of readdirSync(em.vassals).filter((f) => f.endsWith('.yml'))) {
    const path = join(em.vassals, file);
    // emperor-go is on the PATH once the emperor is installed; here it is the checkout's.
    let text = readFileSync(path, 'utf8').replaceAll('[emperor-go,', `[${join(REPO, 'contrib', 'emperor-go.py')},`).replaceAll('127.0.0.1:8080', `127.0.0.1:${ports.web}`).replaceAll('15432', String(ports.pg)).replaceAll('16379', String(ports.redis));
    if (!root) text = text.replace(/^ {2}user: .*\n/m, ''); // only root switches users
    writeFileSync(path, text);
  }
  // The vassals run as postgres and redis must reach their files through the temp dir.
  chmodSync(em.dir, 0o755);
}

// The emperor's own record of each instance of a vassal: spawned and exited times, by generation.
function lifetimes(vassal: string): { generation: number; from: number; to: number }[] {
  const spans = new Map<number, { generation: number; from: number; to: number }>();
  for (const r of em.events(vassal)) {
    const gen = Number(r.generation);
    if (r.event === 'spawned' && r.role === 'main') spans.set(gen, { generation: gen, from: Number(r.time), to: Infinity });
    if (r.event === 'exited' && spans.has(gen)) spans.get(gen)!.to = Number(r.time);
  }
  return [...spans.values()].sort((a, b) => a.from - b.from);
}

function expectNeverTwo(vassal: string): void {
  const spans = lifetimes(vassal);
  for (let i = 1; i < spans.length; i++) expect({ vassal, next: spans[i]!.generation, startedAfterPreviousExit: spans[i]!.from >= spans[i - 1]!.to }).toEqual({ vassal, next: spans[i]!.generation, startedAfterPreviousExit: true });
}

interface Load {
  ok: number;
  jobs: number[];
  failures: Record<string, number>;
  stop(): Promise<void>;
}

// GETs and job POSTs on a new connection each, until stopped.
function startLoad(port: number, workers = 4): Load {
  const load: Load = { ok: 0, jobs: [], failures: {}, stop: async () => undefined };
  let running = true;
  const fail = (why: string): void => void (load.failures[why] = (load.failures[why] ?? 0) + 1);
  const one = (post: boolean): Promise<void> =>
    new Promise((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, path: post ? '/jobs' : '/', method: post ? 'POST' : 'GET', agent: false, timeout: 30_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          if (res.statusCode !== 200) fail(`HTTP ${res.statusCode} ${post ? 'POST' : 'GET'}`);
          else if (post) load.jobs.push((JSON.parse(body) as { id: number }).id);
          else load.ok += 1;
          resolve();
        });
        res.on('error', (err: NodeJS.ErrnoException) => (fail(err.code ?? err.message), resolve()));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => (fail(err.code ?? err.message), resolve()));
      req.end();
    });
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let n = 0; running; n++) await one(w % 2 === 0 && n % 3 === 0);
  });
  load.stop = async () => {
    running = false;
    await Promise.all(loops);
  };
  return load;
}

async function waitAllRunning(timeout = 90_000): Promise<void> {
  for (const v of VASSALS) await em.waitRunning(v, timeout);
}

async function dance(): Promise<void> {
  const r = await runCli(['restart-dance', 'web', '--run-dir', em.runDir], {}, 120_000);
  expect({ code: r.code, out: r.stdout, err: r.stderr }).toMatchObject({ code: 0, out: expect.stringMatching(/job handling resumed/) });
}

// A touch reloads the vassal with its strategy; done once a newer generation runs.
async function touchAndWait(name: string): Promise<void> {
  const before = (await em.status(name))!.generation;
  const now = new Date();
  utimesSync(join(em.vassals, `${name}.yml`), now, now);
  await em.waitStatus(name, (s: VassalStatus) => s.state === 'running' && s.generation > before && s.instances.filter((i) => i.state !== 'warm').length === 1, `reloaded after a touch (generation > ${before})`, 120_000);
}

beforeAll(async () => {
  requireGalaxyPrograms();
  if (process.env.CI && !root) throw new Error('the Galaxy stack test runs postgres and redis as their own users: run it as root under CI');
  em = new Emperor();
  ports = { web: await freePort(), pg: await freePort(), redis: await freePort() };
  install();
  await em.start();
  await waitAllRunning();
}, 150_000);

afterAll(async () => {
  expect(await em.cleanup()).toEqual([]);
}, 60_000);

describe("today's Galaxy under the emperor", () => {
  test('starts in dependency order: nothing that needs the database or the broker spawns before they are ready', () => {
    const readyAt = (v: string): number => Number(em.events(v, 'ready').find((r) => r.role === 'main')?.time);
    const spawnedAt = (v: string): number => Number(em.events(v, 'spawned')[0]?.time);
    for (const v of ['web', 'handler0', 'handler1', 'celery', 'beat']) expect(spawnedAt(v)).toBeGreaterThanOrEqual(readyAt('postgres'));
    for (const v of ['celery', 'beat']) expect(spawnedAt(v)).toBeGreaterThanOrEqual(readyAt('redis'));
    expect(spawnedAt('beat')).toBeGreaterThanOrEqual(readyAt('celery'));
    if (root) {
      const owner = (pid: number | null): string => execFileSync('ps', ['-o', 'user=', '-p', String(pid)], { encoding: 'utf8' }).trim();
      return Promise.all([em.status('postgres'), em.status('redis')]).then(([pg, redis]) => {
        expect(owner(pg!.pid)).toBe('postgres');
        expect(owner(redis!.pid)).toBe('redis');
        // `dirs` made PostgreSQL's data directory, owned by postgres, 0700.
        const pgdata = statSync(join(em.vassals, 'var', 'postgres'));
        expect({ uid: pgdata.uid, mode: pgdata.mode & 0o777 }).toEqual({ uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), mode: 0o700 });
      });
    }
    return undefined;
  });

  test('10 dances, a touch of every file and a kill -9 of a handler under load: 0 failed requests, every job exactly once, never two beats or two handlers of one name', async () => {
    const load = startLoad(ports.web);
    try {
      await waitFor(() => load.ok > 20 && load.jobs.length > 5, { message: 'load flowing', timeout: 30_000 });
      for (let i = 0; i < 4; i++) await dance();
      // The all-in-one mode: no separate handlers, the web workers alone handle jobs, so during
      // a dance job handling is paused while the stand-in keeps creating jobs.
      for (const h of ['handler0', 'handler1']) expect((await em.api(`/vassals/${h}/stop`, 'POST')).status).toBe(200);
      for (const h of ['handler0', 'handler1']) await em.waitStatus(h, (s) => s.state === 'stopped', 'stopped', 30_000);
      for (let i = 0; i < 4; i++) await dance();
      for (const h of ['handler0', 'handler1']) expect((await em.api(`/vassals/${h}/start`, 'POST')).status).toBe(200);
      for (const h of ['handler0', 'handler1']) await em.waitRunning(h, 60_000);
      for (let i = 0; i < 2; i++) await dance();
      for (const v of VASSALS) await touchAndWait(v);
      const victim = (await em.status('handler0'))!;
      process.kill(victim.pid!, 'SIGKILL');
      await em.waitStatus('handler0', (s) => s.state === 'running' && s.generation > victim.generation, 'respawned after kill -9', 60_000);
      const jobsSoFar = load.jobs.length;
      await waitFor(() => load.jobs.length > jobsSoFar + 5, { message: 'jobs still submitted after the kill', timeout: 30_000 });
    } finally {
      await load.stop();
    }
    // Every dance of web let its warm stand-in go (warm-standin: true, emperor-go).
    const letGo = em.events('web', 'dance-step').filter((r) => /the warm one, held for .*, is let go/.test(String(r.msg)));
    expect(letGo.length).toBeGreaterThanOrEqual(11);

    // 0 failed HTTP requests, through everything.
    expect(load.failures).toEqual({});
    expect(load.ok).toBeGreaterThan(100);

    // Every job answered with an id ran exactly once, including those the stand-in created.
    const submitted = new Set(load.jobs);
    await waitFor(() => sql("SELECT count(*) FROM job WHERE state <> 'ok'")[0]![0] === '0', { message: 'every job done', timeout: 60_000 });
    const runs = new Map(sql('SELECT job_id, count(*) FROM job_run GROUP BY job_id').map(([id, n]) => [Number(id), Number(n)]));
    const notOnce = [...submitted].filter((id) => runs.get(id) !== 1);
    expect(notOnce).toEqual([]);
    expect([...runs.values()].filter((n) => n !== 1)).toEqual([]);
    const pausedJobs = Number(sql("SELECT count(*) FROM job j JOIN job_run r ON r.job_id = j.id WHERE j.created_by LIKE 'standin:%' AND r.handler LIKE 'web.%'")[0]![0]);
    expect(pausedJobs).toBeGreaterThan(0);

    // Never two live processes of one name: not by the database's locks (conflicts) ...
    expect(sql('SELECT name, pid, other_pid FROM conflicts')).toEqual([]);
    expect(Number(sql("SELECT count(*) FROM lives WHERE name = 'handler0'")[0]![0])).toBeGreaterThanOrEqual(3);
    // ... nor by the emperor's own record of spawns and exits.
    for (const v of ['handler0', 'handler1', 'beat', 'postgres', 'redis']) expectNeverTwo(v);

    // Never two beats: each beat's ticks form one block, and no two ticks are closer than half the schedule.
    const ticks = sql('SELECT beat_pid, sent_at FROM tick ORDER BY sent_at').map(([pid, at]) => ({ pid: Number(pid), at: Number(at) }));
    expect(ticks.length).toBeGreaterThan(10);
    const blocks = ticks.filter((t, i) => i === 0 || t.pid !== ticks[i - 1]!.pid).map((t) => t.pid);
    expect(new Set(blocks).size).toBe(blocks.length);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const closest = Math.min(...ticks.slice(1).map((t, i) => t.at - ticks[i]!.at));
    expect(closest).toBeGreaterThanOrEqual(0.5);
  }, 600_000);

  test('SIGTERM stops the stack in the reverse of the start order: every handler stops while PostgreSQL still runs', async () => {
    await waitAllRunning();
    const handlers = await Promise.all(['handler0', 'handler1'].map(async (h) => ({ name: h, pid: (await em.status(h))!.pid! })));
    const from = em.logs.length;
    expect(await em.stop(180_000)).toBe(0);
    // The emperor's own record, in the order it wrote it: PostgreSQL and Redis were told to
    // stop only after the last instance of each vassal that needs them had exited.
    const log = em.logs.slice(from);
    const at = (vassal: string, event: string): number => log.findLastIndex((r) => r.vassal === vassal && r.event === event);
    for (const v of ['web', 'handler0', 'handler1', 'celery', 'beat']) expect({ v, beforePostgres: at(v, 'exited') < at('postgres', 'stopping') }).toEqual({ v, beforePostgres: true });
    for (const v of ['celery', 'beat']) expect({ v, beforeRedis: at(v, 'exited') < at('redis', 'stopping') }).toEqual({ v, beforeRedis: true });
    // The handlers' own record: each wrote its goodbye into PostgreSQL on SIGTERM (one try, no
    // retry), which only works while PostgreSQL runs. Read back from a new emperor on the same data.
    await em.start();
    await em.waitRunning('postgres', 90_000);
    const stops = sql(`SELECT name, pid FROM stops WHERE pid IN (${handlers.map((h) => h.pid).join(', ')}) ORDER BY name`);
    expect(stops).toEqual(handlers.map((h) => [h.name, String(h.pid)]));
  }, 400_000);
});
