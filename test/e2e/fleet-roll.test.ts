// `emperor restart-dance --fleet NAME`: a dance rolled across three emperors on one real etcd,
// each serving its own held socket on 127.0.0.1, under a load client that sends every request
// on a new connection to each node in turn. The site must never fail a request, each node's
// dance must end before the next begins, and a fleet singleton running beside them must never
// be seen twice (a /proc sampler every 50 ms).
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { join } from 'node:path';
import { Emperor, FOREVER, nodeVassal, REPO } from '../helpers/emperor.js';
import { EtcdCluster, haveEtcd } from '../helpers/etcd.js';
import { freePort } from '../helpers/ports.js';
import { ProcSampler } from '../helpers/proc-sampler.js';
import { startRoundRobinLoad, type RoundRobinLoad } from '../helpers/round-robin-load.js';
import { waitFor } from '../helpers/wait-for.js';
import { runCli } from '../cli/helpers/run-cli.js';

jest.setTimeout(120_000);
const NODES = ['a', 'b', 'c'] as const;
const DEMO = join(REPO, 'vassals.example', 'apps', 'demo-server.js');

if (!haveEtcd() && process.env.CI) throw new Error('etcd-server is required under CI (/usr/bin/etcd)');
const maybe = haveEtcd() ? describe : describe.skip;

interface Site {
  readonly etcd: EtcdCluster;
  readonly emperors: Map<string, Emperor>;
  readonly ports: Map<string, number>;
  readonly sampler: ProcSampler;
  load: RoundRobinLoad | null;
}
let site: Site | null = null;

function web(port: number, standinEnv: string): string {
  return `emperor:\n  command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(DEMO)}]\n  sockets: { http: "127.0.0.1:${port}" }\n  ready: notify\n  reload: dance\n  standin: { env: ${standinEnv}, ready-timeout: 2s }\n`;
}

// Three emperors on one etcd, each with `web` on a port of its own and the fleet singleton `beat`.
async function startSite(standinEnv: (node: string) => string): Promise<Site> {
  const etcd = await EtcdCluster.start(1);
  const marker = `fleet-roll-beat-${process.pid}-${Date.now()}`;
  const s: Site = { etcd, emperors: new Map(), ports: new Map(), sampler: new ProcSampler(marker), load: null };
  site = s;
  for (const node of NODES) {
    const em = new Emperor();
    const port = await freePort();
    em.write('web.yml', web(port, standinEnv(node)));
    em.write('beat.yml', nodeVassal(`${FOREVER} // ${marker}`, '  singleton: fleet\n  stop-timeout: 2s\n'));
    s.emperors.set(node, em);
    s.ports.set(node, port);
    await em.start({ args: ['--fleet', etcd.url, '--node', node, '--fleet-ttl', '3s'] });
  }
  for (const em of s.emperors.values()) await em.waitRunning('web');
  // Every node's registration shows web running (the roll plans from the registry).
  await waitFor(async () => {
    const r = await em('a').api<{ nodes: { node: string; vassals: { name: string; state: string }[] }[] }>('/fleet');
    return r.body.nodes.filter((n) => n.vassals.some((v) => v.name === 'web' && v.state === 'running')).length === 3 || undefined;
  }, { message: 'every node registered with web running' });
  return s;
}

function em(node: string): Emperor {
  const e = site?.emperors.get(node);
  if (!e) throw new Error(`no emperor ${node}`);
  return e;
}

async function webPids(): Promise<Map<string, number | null>> {
  const pids = new Map<string, number | null>();
  for (const node of NODES) pids.set(node, (await em(node).status('web'))?.pid ?? null);
  return pids;
}

// The load is flowing to every node.
async function loadFlows(load: RoundRobinLoad, s: Site): Promise<void> {
  const before = new Map(NODES.map((n) => [n, load.answers(s.ports.get(n) ?? 0)]));
  await waitFor(() => NODES.every((n) => load.answers(s.ports.get(n) ?? 0) >= (before.get(n) ?? 0) + 20) || undefined, { message: 'every node answers the load' });
}

afterEach(async () => {
  if (!site) return;
  await site.load?.stop();
  site.sampler.stop();
  const leaked: number[] = [];
  for (const e of site.emperors.values()) leaked.push(...(await e.cleanup()));
  await site.etcd.cleanup();
  expect(leaked).toEqual([]);
  expect(site.sampler.max).toBeLessThanOrEqual(1);
  site = null;
});

// The lines of the roll's output that belong to `node`, in order.
function linesOf(stdout: string, node: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith(`${node}: `) || l.startsWith(`  ${node}: `));
}

maybe('emperor restart-dance --fleet', () => {
  test('rolls the dance across the three nodes one at a time under new-connection load: 0 failed requests, each node\'s steps in order', async () => {
    const s = await startSite(() => '{ JOB_HANDLERS: "0" }');
    const load = startRoundRobinLoad([...s.ports.values()], { maxSeconds: 90 });
    s.load = load;
    await loadFlows(load, s);
    const before = await webPids();

    const r = await runCli(['restart-dance', '--fleet', 'web', '--run-dir', em('b').runDir], {}, 90_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await loadFlows(load, s);
    const result = await load.stop();
    s.load = null;
    expect(result.failures).toEqual([]);
    expect(result.ok).toBeGreaterThan(100);

    const out = r.stdout;
    expect(out).toMatch(/^web: rolling dance on 3 nodes, one at a time: a, b, c/);
    // Each node's dance ends before the next begins.
    const at = (text: string): number => out.indexOf(text);
    expect(at('a: ok')).toBeGreaterThan(at('a: restart dance'));
    expect(at('b: restart dance')).toBeGreaterThan(at('a: ok'));
    expect(at('b: ok')).toBeGreaterThan(at('b: restart dance'));
    expect(at('c: restart dance')).toBeGreaterThan(at('b: ok'));
    expect(at('c: ok')).toBeGreaterThan(at('c: restart dance'));
    expect(out).toMatch(/web danced on 3 nodes: a, b, c/);
    for (const node of NODES) {
      const lines = linesOf(out, node).join('\n');
      // The dance's own steps, in their order, as the node reported them.
      const order = ['stand-in ready in', 'job handling paused', 'job handling resumed', 'stand-in stopped'].map((step) => lines.indexOf(step));
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((x, y) => x - y)).toEqual(order);
    }
    const after = await webPids();
    for (const node of NODES) expect(after.get(node)).not.toBe(before.get(node));

    const json = await runCli(['restart-dance', '--fleet', 'web', '--json', '--run-dir', em('c').runDir], {}, 90_000);
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout) as { ok: boolean; nodes: { node: string; ok: boolean; steps: string[] }[] };
    expect(body.ok).toBe(true);
    // On failure, the whole answer: a node left out of the plan is in its `skipped`.
    expect({ nodes: body.nodes.map((n) => [n.node, n.ok]), body: body.nodes.length === 3 ? null : body }).toEqual({ nodes: [['a', true], ['b', true], ['c', true]], body: null });
    for (const n of body.nodes) expect(n.steps.length).toBeGreaterThan(2);
    expect(s.sampler.max).toBe(1);
  });

  test('a node whose dance fails stops the roll: its original keeps serving, later nodes are not touched, no request fails', async () => {
    const s = await startSite((node) => (node === 'b' ? '{ JOB_HANDLERS: "0", DEMO_STARTUP_DELAY_MS: "60000" }' : '{ JOB_HANDLERS: "0" }'));
    const load = startRoundRobinLoad([...s.ports.values()], { maxSeconds: 90 });
    s.load = load;
    await loadFlows(load, s);
    const before = await webPids();

    const r = await runCli(['restart-dance', '--fleet', 'web', '--run-dir', em('a').runDir], {}, 90_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/a: ok/);
    expect(r.stdout).toMatch(/b: FAILED: .*stand-in/);
    expect(r.stdout).toMatch(/the roll stopped at b: .*not danced: c/);
    expect(r.stdout).not.toMatch(/c: restart dance/);
    await loadFlows(load, s);
    const result = await load.stop();
    s.load = null;
    expect(result.failures).toEqual([]);

    const after = await webPids();
    expect(after.get('a')).not.toBe(before.get('a'));
    expect(after.get('b')).toBe(before.get('b'));
    expect(after.get('c')).toBe(before.get('c'));
    expect((await em('b').status('web'))?.state).toBe('running');
    expect(s.sampler.max).toBe(1);
  });
});
