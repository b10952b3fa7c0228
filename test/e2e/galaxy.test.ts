// The Galaxy zerg + mules setup (vassals.example/galaxy*) under the emperor, with real uWSGI:
// `emperor restart-dance` under load fails no request and never runs two generations of mules.
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { chmodSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Emperor, REPO } from '../helpers/emperor.js';
import { connectionLoad } from '../helpers/conn-load.js';
import { freePort } from '../helpers/ports.js';
import { requireUwsgi } from '../helpers/uwsgi.js';
import { runCli } from '../cli/helpers/run-cli.js';

let em: Emperor;
let uwsgi: string;
beforeAll(() => {
  uwsgi = requireUwsgi();
});
afterEach(async () => {
  expect(await em.cleanup()).toEqual([]);
});

// Copies an example into the emperor's vassals dir, moving its listening port to a free one.
function install(example: string, ports: Record<string, number>): void {
  cpSync(join(REPO, 'vassals.example', example), em.vassals, { recursive: true, dereference: true });
  for (const file of ['vassal-zergling.yml', 'vassal-zergpool.yml']) {
    const path = join(em.vassals, file);
    if (!existsSync(path)) continue;
    let text = readFileSync(path, 'utf8');
    for (const [from, to] of Object.entries(ports)) text = text.replaceAll(`127.0.0.1:${from}`, `127.0.0.1:${to}`);
    writeFileSync(path, text);
  }
}

interface MuleLine { what: string; pid: number; at: number; master: number }

function muleLines(): MuleLine[] {
  const file = join(em.dir, 'mules.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
    const [what, pid, at, , master] = l.split(' ');
    return { what: what!, pid: Number(pid), at: Number(at), master: Number(master!.replace('master=', '')) };
  });
}

// Mules of one master (one generation) must all have stopped before any mule of the next starts.
function expectMulesNeverDoubled(lines: MuleLine[], generations: number): void {
  const byMaster = new Map<number, MuleLine[]>();
  for (const l of lines) byMaster.set(l.master, [...(byMaster.get(l.master) ?? []), l]);
  const spans = [...byMaster.values()].map((ls) => ({
    start: Math.min(...ls.filter((l) => l.what === 'start').map((l) => l.at)),
    // a mule that never logged its stop is still running: its generation has not ended
    stop: Math.max(...ls.filter((l) => l.what === 'start').map((m) => ls.find((l) => l.what === 'stop' && l.pid === m.pid)?.at ?? Infinity)),
    starts: ls.filter((l) => l.what === 'start').length,
  }));
  spans.sort((a, b) => a.start - b.start);
  expect(spans).toHaveLength(generations);
  for (const s of spans) expect(s.starts).toBe(2);
  for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThan(spans[i - 1]!.stop);
}

describe('the Galaxy example', () => {
  test('emperor-held socket: restart-dance under load fails 0 requests and never doubles the mules; the wrapper runs both', async () => {
    em = new Emperor();
    const wrapper = join(em.dir, 'uwsgi-wrapper.sh');
    writeFileSync(wrapper, `#!/bin/sh\necho "$@" >> ${join(em.dir, 'wrapper.log')}\nexec ${uwsgi} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const port = await freePort();
    install('galaxy', { 8080: port });
    await em.start({ args: ['--vassal-wrapper', wrapper], env: { MULE_LOG: join(em.dir, 'mules.log') } });
    await em.waitRunning('vassal-zergling', 30_000);
    const load = connectionLoad(port, { seconds: 10 });
    const first = await runCli(['restart-dance', '--run-dir', em.runDir], {}, 60_000);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/stand-in ready in/);
    expect(first.stdout).toMatch(/job handling paused/);
    expect(first.stdout).toMatch(/job handling resumed/);
    const second = await runCli(['restart-dance', 'vassal-zergling', '--run-dir', em.runDir], {}, 60_000);
    expect(second.code).toBe(0);
    const result = await load;
    // On failure, the failed requests' times beside the emperor's log of the dances.
    const story = result.failed === 0 ? [] : [...result.firstFailures, ...em.logs.filter((l) => l.vassal !== undefined).map((l) => `${new Date(Number(l.time)).toISOString()} ${String(l.vassal)} ${String(l.msg)}`)];
    expect({ failures: result.failures, story }).toEqual({ failures: {}, story: [] });
    expect(result.ok).toBeGreaterThan(100);
    expectMulesNeverDoubled(muleLines(), 3);
    const wrapped = readFileSync(join(em.dir, 'wrapper.log'), 'utf8');
    expect(wrapped).toContain('vassal-zergling.yml');
    expect(wrapped).toContain('galaxy-restarter.yml');
  }, 90_000);

  test("the gist's own zerg pool, FIFOs and hooks: the dance copes with zerglings stopping each other", async () => {
    em = new Emperor();
    const [port, internal] = [await freePort(), await freePort()];
    install('galaxy-zerg', { 8080: port, 4001: internal });
    await em.start({ env: { MULE_LOG: join(em.dir, 'mules.log') } });
    await em.waitRunning('vassal-zergpool', 30_000);
    await em.waitRunning('vassal-zergling', 30_000);
    const load = connectionLoad(port, { seconds: 10 });
    for (let i = 0; i < 2; i++) {
      const r = await em.api<{ ok: boolean; message: string }>('/vassals/vassal-zergling/dance', 'POST');
      expect(r.body).toMatchObject({ ok: true });
    }
    const result = await load;
    const story = result.failed === 0 ? [] : [...result.firstFailures, ...em.logs.filter((l) => l.vassal !== undefined).map((l) => `${new Date(Number(l.time)).toISOString()} ${String(l.vassal)} ${String(l.msg)}`)];
    expect({ failures: result.failures, story }).toEqual({ failures: {}, story: [] });
    // the emperor paused each zergling it stopped: uWSGI's own words for it
    expect(em.logs.filter((l) => l.vassal === 'vassal-zergling' && String(l.msg).includes('*** PAUSE')).length).toBeGreaterThanOrEqual(2);
    expectMulesNeverDoubled(muleLines(), 3);
    expect((await em.status('vassal-zergling'))?.instances).toHaveLength(1);
  }, 90_000);
});
