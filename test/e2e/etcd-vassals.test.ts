// Vassal files kept in a real etcd (`--vassals etcd://127.0.0.1:P/PREFIX/`): a put drops or
// changes a vassal, a put of the same value touches it, a delete removes it, a bad value breaks
// only its own vassal. etcd going away never stops what runs, and what changed while the emperor
// could not see etcd (even past a compaction) is applied when it sees it again.
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { Etcd3 } from 'etcd3';
import { execFile } from 'node:child_process';
import { BIN, Emperor, FOREVER, nodeVassal } from '../helpers/emperor.js';
import { EtcdCluster, haveEtcd } from '../helpers/etcd.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { request } from '../helpers/http.js';
import { waitFor } from '../helpers/wait-for.js';
import type { EmperorInfo } from '../../src/control/supervisor-port.js';
import { isAlive } from '../../src/runtime/process-group.js';

// Each test waits out reconnections: bounded by its waits, not by jest's default.
jest.setTimeout(90_000);

if (!haveEtcd() && process.env.CI) throw new Error('etcd-server is required under CI (/usr/bin/etcd)');
const maybe = haveEtcd() ? describe : describe.skip;

const PREFIX = '/emperor/vassals/';
let etcd: EtcdCluster | null = null;
let client: Etcd3 | null = null;
const proxies: TcpProxy[] = [];
const emperors: Emperor[] = [];

afterEach(async () => {
  const leaked: number[] = [];
  for (const em of emperors.splice(0)) leaked.push(...(await em.cleanup()));
  for (const p of proxies.splice(0)) await p.close();
  client?.close();
  client = null;
  await etcd?.cleanup();
  etcd = null;
  expect(leaked).toEqual([]);
});

async function startEtcd(): Promise<{ etcd: EtcdCluster; client: Etcd3; port: number }> {
  etcd = await EtcdCluster.start(1);
  client = new Etcd3({ hosts: [`http://127.0.0.1:${etcd.clientPort(0)}`] });
  return { etcd, client, port: etcd.clientPort(0) };
}

async function startEmperor(vassals: string, withDir: boolean, write: (em: Emperor) => void = () => undefined): Promise<Emperor> {
  const em = new Emperor();
  emperors.push(em);
  write(em);
  await em.start({ noDir: !withDir, args: ['--vassals', vassals] });
  return em;
}

async function info(em: Emperor): Promise<EmperorInfo> {
  return (await em.api<EmperorInfo>('/emperor')).body;
}

function waitSource(em: Emperor, connected: boolean): Promise<EmperorInfo> {
  return waitFor(async () => {
    const i = await info(em);
    return i.sources[0]?.connected === connected ? i : undefined;
  }, { message: `the etcd source ${connected ? 'connected' : 'disconnected'}`, timeout: 30_000 });
}

function run(file: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, [...args], (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

maybe('vassals from etcd', () => {
  test('put = drop, a changed value = reload, the same value again = touch (reload), delete = removal; a bad value breaks only its vassal', async () => {
    const { client, port } = await startEtcd();
    const url = `etcd://127.0.0.1:${port}${PREFIX}`;
    await client.put(`${PREFIX}web.yml`).value(nodeVassal(FOREVER));
    // Not vassals: a deeper key (like a subdirectory) and a name without a vassal extension.
    await client.put(`${PREFIX}sub/deep.yml`).value(nodeVassal(FOREVER));
    await client.put(`${PREFIX}README`).value('not a vassal');
    const em = await startEmperor(url, false);
    const first = await em.waitRunning('web');
    expect(first.file).toBe(`etcd://127.0.0.1:${port}${PREFIX}web.yml`);
    expect((await info(em)).sources).toEqual([expect.objectContaining({ url, connected: true, keys: 1, error: null })]);
    expect(await em.status('deep')).toBeUndefined();
    expect(await em.status('README')).toBeUndefined();

    // A new value: a new generation.
    await client.put(`${PREFIX}web.yml`).value(nodeVassal(FOREVER, '  stop-timeout: 3s\n'));
    const changed = await em.waitStatus('web', (s) => s.state === 'running' && s.generation > first.generation, 'a new generation after a change');
    // The same value again: a touch, reloaded like a touched file.
    await client.put(`${PREFIX}web.yml`).value(nodeVassal(FOREVER, '  stop-timeout: 3s\n'));
    const touched = await em.waitStatus('web', (s) => s.state === 'running' && s.generation > changed.generation, 'a new generation after a touch');
    expect(touched.pid).not.toBe(first.pid);

    // A malformed value and an unknown key: only that vassal is broken, with `url+key: key: problem`.
    await client.put(`${PREFIX}bad.yml`).value('emperor: [unclosed');
    await client.put(`${PREFIX}typo.yml`).value(nodeVassal(FOREVER, '  stop-timout: 3s\n'));
    const bad = await em.waitStatus('bad', (s) => s.state === 'broken', 'broken');
    expect(bad.error).toContain(`etcd://127.0.0.1:${port}${PREFIX}bad.yml: `);
    const typo = await em.waitStatus('typo', (s) => s.state === 'broken', 'broken');
    expect(typo.error).toContain(`etcd://127.0.0.1:${port}${PREFIX}typo.yml: emperor.stop-timout: `);
    expect((await em.status('web'))?.pid).toBe(touched.pid);
    // `emperor check` reads the same keys and says the same.
    const check = await run(process.execPath, [BIN, 'check', '--vassals', url]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`etcd://127.0.0.1:${port}${PREFIX}web.yml: ok`);
    expect(check.stdout).toContain(`etcd://127.0.0.1:${port}${PREFIX}typo.yml: emperor.stop-timout: `);
    expect(check.stdout).toContain(`etcd://127.0.0.1:${port}${PREFIX}bad.yml: `);
    // Fixed: it runs.
    await client.put(`${PREFIX}bad.yml`).value(nodeVassal(FOREVER));
    await em.waitRunning('bad');

    // A uWSGI vassal cannot come from etcd (uwsgi needs a file): said clearly.
    await client.put(`${PREFIX}uw.ini`).value('[uwsgi]\nhttp-socket = 127.0.0.1:0\n');
    const uw = await em.waitStatus('uw', (s) => s.state === 'broken', 'broken');
    expect(uw.error).toContain('a uWSGI vassal cannot come from etcd');

    // Deleted: stopped and gone.
    await client.delete().key(`${PREFIX}web.yml`);
    await waitFor(async () => (await em.status('web')) === undefined, { message: 'web gone after its key was deleted' });
    expect(isAlive(touched.pid ?? 0)).toBe(false);
  });

  test('large values: five keys of almost 1 MiB each (more than gRPC\'s default 4 MiB in one read) all run, and a sixth put later', async () => {
    const { client, port } = await startEtcd();
    const big = (i: number): string => `# ${'x'.repeat(1_000_000)}\n${nodeVassal(`${FOREVER} // big${i}`)}`;
    for (const i of [0, 1, 2, 3, 4]) await client.put(`${PREFIX}big${i}.yml`).value(big(i));
    const em = await startEmperor(`etcd://127.0.0.1:${port}${PREFIX}`, false);
    for (const i of [0, 1, 2, 3, 4]) await em.waitRunning(`big${i}`);
    await client.put(`${PREFIX}big5.yml`).value(big(5));
    await em.waitRunning('big5');
    expect((await info(em)).sources[0]).toEqual(expect.objectContaining({ connected: true, keys: 6 }));
  });

  test('etcd stopped: the vassals keep running, the source shows disconnected, and it reconnects by itself: a delete made once etcd is back is applied', async () => {
    const { etcd, client, port } = await startEtcd();
    const url = `etcd://127.0.0.1:${port}${PREFIX}`;
    await client.put(`${PREFIX}web.yml`).value(nodeVassal(FOREVER));
    await client.put(`${PREFIX}gone.yml`).value(nodeVassal(FOREVER));
    const em = await startEmperor(url, false);
    const web = await em.waitRunning('web');
    const gone = await em.waitRunning('gone');

    await etcd.stop();
    const down = await waitSource(em, false);
    expect(down.problems).toContain(`vassals source ${url} disconnected`);
    const metrics = await request({ socketPath: em.control, path: '/metrics' });
    expect(metrics.body).toContain(`emperor_vassal_source_connected{source="${url}"} 0`);
    // Nothing stopped because etcd went away.
    expect((await em.status('web'))?.pid).toBe(web.pid);
    expect((await em.status('gone'))?.pid).toBe(gone.pid);
    expect(isAlive(web.pid ?? 0) && isAlive(gone.pid ?? 0)).toBe(true);

    // etcd back: the emperor reconnects by itself; a delete made right after is seen.
    await etcd.restart();
    await waitSource(em, true);
    await client.delete().key(`${PREFIX}gone.yml`);
    await waitFor(async () => (await em.status('gone')) === undefined, { message: 'gone removed after etcd came back' });
    expect((await em.status('web'))?.pid).toBe(web.pid);
  });

  test('etcd unreachable at start: the directory\'s vassals start, the source shows disconnected and keeps trying, and its keys run once etcd is there', async () => {
    const { etcd, client, port } = await startEtcd();
    await client.put(`${PREFIX}web.yml`).value(nodeVassal(FOREVER));
    await etcd.stop();
    const url = `etcd://127.0.0.1:${port}${PREFIX}`;
    const em = await startEmperor(url, true, (e) => e.write('local.yml', nodeVassal(FOREVER)));
    await em.waitRunning('local');
    const down = await waitSource(em, false);
    expect(down.sources[0]?.error).toEqual(expect.any(String));
    expect(await em.status('web')).toBeUndefined();

    await etcd.restart();
    await em.waitRunning('web', 30_000);
    await client.put(`${PREFIX}more.yml`).value(nodeVassal(FOREVER));
    await em.waitRunning('more');
  });

  test('cut off from etcd (no RST): a delete, a put, a change and a compaction made meanwhile are all applied after the reconnection, from a fresh read', async () => {
    const { client, port } = await startEtcd();
    const proxy = await TcpProxy.start(port);
    proxies.push(proxy);
    const url = `etcd://127.0.0.1:${proxy.port}${PREFIX}`;
    await client.put(`${PREFIX}web.yml`).value(nodeVassal(FOREVER));
    await client.put(`${PREFIX}gone.yml`).value(nodeVassal(FOREVER));
    await client.put(`${PREFIX}same.yml`).value(nodeVassal(FOREVER));
    const em = await startEmperor(url, false);
    const web = await em.waitRunning('web');
    await em.waitRunning('gone');
    const same = await em.waitRunning('same');

    proxy.block();
    await waitSource(em, false);
    await client.delete().key(`${PREFIX}gone.yml`);
    await client.put(`${PREFIX}new.yml`).value(nodeVassal(FOREVER));
    await client.put(`${PREFIX}web.yml`).value(nodeVassal(FOREVER, '  stop-timeout: 4s\n'));
    // Compacted up to now: a watch resumed from the old revision would be refused.
    const now = await client.getAll().prefix(PREFIX).exec();
    await client.kv.compact({ revision: now.header.revision, physical: true });
    // Nothing changed in the emperor while it cannot see etcd.
    expect((await em.status('gone'))?.state).toBe('running');

    proxy.unblock();
    await waitSource(em, true);
    await waitFor(async () => (await em.status('gone')) === undefined, { message: 'gone removed after the reconnection' });
    await em.waitRunning('new');
    await em.waitStatus('web', (s) => s.state === 'running' && s.generation > web.generation, 'web reloaded with its new value');
    // Untouched meanwhile: not reloaded.
    const after = await em.status('same');
    expect(after?.pid).toBe(same.pid);
    expect(after?.generation).toBe(same.generation);
  });

  test('a directory and an etcd prefix together; a name in both is owned by the first loaded, the other shown broken, and takes over when the first goes', async () => {
    const { client, port } = await startEtcd();
    const url = `etcd://127.0.0.1:${port}${PREFIX}`;
    await client.put(`${PREFIX}web.yml`).value(nodeVassal(FOREVER));
    await client.put(`${PREFIX}both.yml`).value(nodeVassal(`${FOREVER} // from-etcd`));
    const em = await startEmperor(url, true, (e) => {
      e.write('local.yml', nodeVassal(FOREVER));
      e.write('both.yml', nodeVassal(FOREVER));
    });
    await em.waitRunning('local');
    await em.waitRunning('web');
    const both = await em.waitRunning('both');
    expect(both.file).toBe(`${em.vassals}/both.yml`);
    const dup = await em.waitStatus('both.yml', (s) => s.state === 'broken', 'the etcd key with the same name broken');
    expect(dup.error).toBe(`etcd://127.0.0.1:${port}${PREFIX}both.yml: the vassal name "both" is already used by ${em.vassals}/both.yml; rename or remove one of them`);

    // The directory's file goes: the etcd key takes the name.
    const { rmSync } = await import('node:fs');
    rmSync(`${em.vassals}/both.yml`);
    await em.waitStatus('both', (s) => s.state === 'running' && s.file === `etcd://127.0.0.1:${port}${PREFIX}both.yml`, 'the etcd key owns the name');
    await waitFor(async () => (await em.status('both.yml')) === undefined, { message: 'the broken duplicate gone' });
  });

  test('a fleet whose hosts all follow one prefix: a key put once runs everywhere, a fleet singleton from it on exactly one node', async () => {
    const { client, port } = await startEtcd();
    const url = `etcd://127.0.0.1:${port}${PREFIX}`;
    const nodes = ['a', 'b'];
    const fleet: Emperor[] = [];
    for (const node of nodes) {
      const em = new Emperor();
      emperors.push(em);
      fleet.push(em);
      await em.start({ noDir: true, args: ['--vassals', url, '--fleet', `etcd://127.0.0.1:${port}`, '--node', node, '--fleet-ttl', '3s'] });
    }
    await client.put(`${PREFIX}web.yml`).value(nodeVassal(FOREVER));
    await client.put(`${PREFIX}beat.yml`).value(nodeVassal(FOREVER, '  singleton: fleet\n'));
    for (const em of fleet) await em.waitRunning('web');
    await waitFor(async () => {
      const states = await Promise.all(fleet.map(async (em) => (await em.status('beat'))?.state));
      return states.filter((st) => st === 'running').length === 1 && states.filter((st) => st === 'standby').length === 1;
    }, { message: 'beat running on one node, standby on the other', timeout: 30_000 });
  });
});
