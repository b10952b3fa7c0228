// A fleet of three emperors on one real etcd (and on a 3-member cluster), each with its own
// vassals and run directories, standing for three hosts. A sampler reads /proc every 50 ms:
// the fleet singleton must never have two live instances, whatever fails and whenever.
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { rmSync } from 'node:fs';
import { Emperor, FOREVER, nodeVassal } from '../helpers/emperor.js';
import { EtcdCluster, haveEtcd } from '../helpers/etcd.js';
import { ProcSampler } from '../helpers/proc-sampler.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { request } from '../helpers/http.js';
import { waitFor } from '../helpers/wait-for.js';
import type { VassalStatus } from '../../src/core/status.js';
import { isAlive } from '../../src/runtime/process-group.js';

const TTL_S = 3;
// Failures are waited out (TTLs, restarts of etcd): each test is bounded by its waits, not by jest's default.
jest.setTimeout(120_000);
const NODES = ['a', 'b', 'c'] as const;

if (!haveEtcd() && process.env.CI) throw new Error('etcd-server is required under CI (/usr/bin/etcd)');
const maybe = haveEtcd() ? describe : describe.skip;

interface Fleet {
  readonly etcd: EtcdCluster;
  readonly emperors: Map<string, Emperor>;
  readonly sampler: ProcSampler;
  readonly marker: string;
  readonly proxies: Map<string, TcpProxy>;
}

let fleet: Fleet | null = null;
const fleetUrls = new Map<string, string>();

// The singleton: a Node process whose command line carries a marker the sampler looks for.
function beatVassal(marker: string): string {
  return nodeVassal(`${FOREVER} // ${marker}`, '  singleton: fleet\n  stop-timeout: 2s\n');
}

// Three emperors, each reaching etcd through its own proxy (so that one can be cut off).
async function startFleet(members = 1, ttl = TTL_S): Promise<Fleet> {
  const etcd = await EtcdCluster.start(members);
  const marker = `fleet-beat-${process.pid}-${Date.now()}`;
  const emperors = new Map<string, Emperor>();
  const sampler = new ProcSampler(marker);
  const proxies = new Map<string, TcpProxy>();
  fleet = { etcd, emperors, sampler, marker, proxies };
  for (const node of NODES) {
    const em = new Emperor();
    em.write('beat.yml', beatVassal(marker));
    em.write('local.yml', nodeVassal(FOREVER));
    emperors.set(node, em);
    // With one member, each emperor goes through a proxy of its own; a cluster is reached directly.
    let url = etcd.url;
    if (members === 1) {
      const proxy = await TcpProxy.start(etcd.clientPort(0));
      proxies.set(node, proxy);
      url = `etcd://127.0.0.1:${proxy.port}`;
    }
    fleetUrls.set(node, url);
    await em.start({ args: ['--fleet', url, '--node', node, '--fleet-ttl', `${ttl}s`] });
  }
  return fleet;
}

function emperor(node: string): Emperor {
  const em = fleet?.emperors.get(node);
  if (!em) throw new Error(`no emperor ${node}`);
  return em;
}

// The node whose beat runs, once exactly one does and the others are in standby.
async function holder(except: readonly string[] = [], timeout = 20_000): Promise<string> {
  return waitFor(async () => {
    const states = new Map<string, VassalStatus | undefined>();
    for (const node of NODES) if (!except.includes(node)) states.set(node, await emperor(node).status('beat'));
    const running = [...states].filter(([, s]) => s?.state === 'running');
    const standby = [...states].filter(([, s]) => s?.state === 'standby');
    return running.length === 1 && standby.length === states.size - 1 ? running[0]?.[0] : undefined;
  }, { message: `one node runs beat, the others (but ${except.join(',') || 'none'}) stand by`, timeout });
}

function guardPids(em: Emperor): number[] {
  return em.logs.flatMap((l) => (typeof l.guardPid === 'number' ? [l.guardPid] : []));
}

beforeEach(() => {
  fleet = null;
});

afterEach(async () => {
  if (!fleet) return;
  fleet.sampler.stop();
  const leaked: number[] = [];
  const guards: number[] = [];
  for (const em of fleet.emperors.values()) {
    if (em.proc?.pid) {
      try {
        process.kill(em.proc.pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    guards.push(...guardPids(em));
    leaked.push(...(await em.cleanup()));
  }
  for (const proxy of fleet.proxies.values()) await proxy.close();
  await fleet.etcd.cleanup();
  await waitFor(() => guards.every((pid) => !isAlive(pid)) || undefined, { message: 'every fence guard gone', timeout: 5000 });
  expect(leaked).toEqual([]);
  expect(fleet.sampler.max).toBeLessThanOrEqual(1);
});

maybe('a fleet of emperors on etcd', () => {
  test('a fleet singleton runs on exactly one node; the others show standby (held by NODE); status --fleet lists every node', async () => {
    const f = await startFleet();
    const first = await holder();
    for (const node of NODES) {
      if (node === first) continue;
      // A node whose lease came later may still be asking etcd when the holder already runs it.
      const s = await emperor(node).waitStatus('beat', (v) => v.note !== 'claiming', 'an answer from etcd about its claim');
      expect(s?.note).toBe(`held by ${first}`);
      expect(s?.fleet).toEqual({ claim: 'waiting', holder: first });
    }
    const view = await emperor('b').api<{ self: { node: string; connected: boolean }; nodes: { node: string; vassals: { name: string; state: string }[] }[] }>('/fleet');
    expect(view.status).toBe(200);
    expect(view.body.self).toMatchObject({ node: 'b', connected: true });
    await waitFor(async () => {
      const r = await emperor('c').api<{ nodes: { node: string; vassals: { name: string; state: string }[] }[] }>('/fleet');
      const beats = r.body.nodes.map((n) => `${n.node}:${n.vassals.find((v) => v.name === 'beat')?.state}`);
      return beats.length === 3 && beats.filter((b) => b.endsWith(':running')).length === 1 && beats.filter((b) => b.endsWith(':standby')).length === 2 ? beats : undefined;
    }, { message: 'status --fleet from c shows every node: one running, two standby' });
    expect(f.sampler.max).toBe(1);
  });

  test('the holder SIGKILLed: another node starts it after the lease runs out; the old instance dies with its emperor', async () => {
    const f = await startFleet();
    const first = await holder();
    const oldPid = (await emperor(first).status('beat'))?.pid ?? 0;
    await emperor(first).kill9();
    const next = await holder([first]);
    expect(next).not.toBe(first);
    expect(isAlive(oldPid)).toBe(false);
    // Restarted, it stops what its predecessor left (the local vassal) and stands by.
    await emperor(first).start({ args: ['--fleet', fleetUrls.get(first) ?? '', '--node', first, '--fleet-ttl', `${TTL_S}s`] });
    await emperor(first).waitStatus('beat', (s) => s.state === 'standby' && s.note === `held by ${next}`, `standby behind ${next}`);
    expect(await holder()).toBe(next);
    expect(f.sampler.max).toBe(1);
  });

  test('the holder frozen (SIGSTOP) for 3 TTLs and resumed: the fence guard kills its instance before another node starts one', async () => {
    const f = await startFleet();
    const first = await holder();
    const em = emperor(first);
    const oldPid = (await em.status('beat'))?.pid ?? 0;
    process.kill(em.proc.pid ?? 0, 'SIGSTOP');
    const stoppedAt = Date.now();
    const next = await holder([first]);
    expect(next).not.toBe(first);
    expect(isAlive(oldPid)).toBe(false);
    // Frozen for three TTLs in all, then resumed: it must stand by, not start a second copy.
    await new Promise((r) => setTimeout(r, Math.max(0, stoppedAt + 3 * TTL_S * 1000 - Date.now())));
    process.kill(em.proc.pid ?? 0, 'SIGCONT');
    await em.waitStatus('beat', (s) => s.state === 'standby' && s.note === `held by ${next}`, `standby behind ${next} after SIGCONT`);
    expect(await holder()).toBe(next);
    expect(f.sampler.max).toBe(1);
    // The guard's report, written while the emperor was frozen, is read once it runs again.
    await waitFor(() => em.logs.some((l) => String(l.msg).startsWith('fence guard: SIGKILLed')) || undefined, { message: 'the guard reports its kill' });
  });

  test('the holder cut off from etcd while etcd serves the others: it stops its instance before another node starts one, and stands by once it is back', async () => {
    const f = await startFleet();
    const first = await holder();
    const em = emperor(first);
    const localPid = (await em.status('local'))?.pid;
    f.proxies.get(first)?.block();
    const next = await holder([first]);
    expect(next).not.toBe(first);
    await waitFor(async () => (await em.api<{ fleet: { connected: boolean } }>('/emperor')).body.fleet.connected === false || undefined, { message: `${first}: fleet: disconnected` });
    expect((await em.status('local'))?.pid).toBe(localPid);
    f.proxies.get(first)?.unblock();
    await waitFor(async () => (await em.api<{ fleet: { connected: boolean } }>('/emperor')).body.fleet.connected || undefined, { message: `${first}: fleet: connected again`, timeout: 20_000 });
    await em.waitStatus('beat', (s) => s.state === 'standby' && s.note === `held by ${next}`, `standby behind ${next}`, 20_000);
    expect(await holder()).toBe(next);
    expect(f.sampler.max).toBe(1);
  });

  test('etcd stopped for 2 TTLs: every emperor shows fleet: disconnected and keeps its local vassals; the singleton stops everywhere, then runs on one node again', async () => {
    const f = await startFleet();
    await holder();
    const localPids = new Map<string, number | null>();
    for (const node of NODES) localPids.set(node, (await emperor(node).status('local'))?.pid ?? null);
    await f.etcd.stop();
    const downAt = Date.now();
    for (const node of NODES) {
      const em = emperor(node);
      await waitFor(async () => (await em.api<{ fleet: { connected: boolean } }>('/emperor')).body.fleet.connected === false || undefined, { message: `${node}: fleet: disconnected` });
      await em.waitStatus('beat', (s) => s.state === 'standby', 'standby without etcd');
    }
    const text = await waitFor(async () => {
      const r = await request({ socketPath: emperor('a').control, path: '/metrics', method: 'GET' });
      return r.body.includes('emperor_fleet_connected{node="a"} 0') ? r.body : undefined;
    }, { message: 'emperor_fleet_connected 0 in metrics' });
    expect(text).toContain('emperor_fleet_connected{node="a"} 0');
    await new Promise((r) => setTimeout(r, Math.max(0, downAt + 2 * TTL_S * 1000 - Date.now())));
    for (const node of NODES) expect((await emperor(node).status('local'))?.pid).toBe(localPids.get(node));
    await f.etcd.restart();
    for (const node of NODES) {
      await waitFor(async () => (await emperor(node).api<{ fleet: { connected: boolean } }>('/emperor')).body.fleet.connected || undefined, { message: `${node}: fleet: connected again`, timeout: 20_000 });
    }
    await holder([], 30_000);
    for (const node of NODES) expect((await emperor(node).status('local'))?.pid).toBe(localPids.get(node));
    expect(f.sampler.max).toBe(1);
  });

  test('the file removed on the holder: the claim is released at once and another node takes over without waiting for the TTL', async () => {
    const f = await startFleet(1, 8);
    const first = await holder();
    const removedAt = Date.now();
    rmSync(`${emperor(first).vassals}/beat.yml`);
    const next = await holder([first]);
    const tookMs = Date.now() - removedAt;
    expect(next).not.toBe(first);
    expect(tookMs).toBeLessThan(8000); // the lease was revoked, not left to expire
    expect(f.sampler.max).toBe(1);
  });

  test('a 3-member etcd cluster losing one member (its leader): the fleet keeps working', async () => {
    const f = await startFleet(3);
    const first = await holder();
    const leader = await f.etcd.leaderIndex();
    expect(leader).toBeGreaterThanOrEqual(0);
    await f.etcd.stop(leader);
    // A failover still works on the two members left.
    await emperor(first).stop();
    const next = await holder([first], 30_000);
    expect(next).not.toBe(first);
    for (const node of NODES.filter((n) => n !== first)) {
      await waitFor(async () => (await emperor(node).api<{ fleet: { connected: boolean } }>('/emperor')).body.fleet.connected || undefined, { message: `${node}: fleet: connected on the members left` });
    }
    expect(f.sampler.max).toBe(1);
  });
});
