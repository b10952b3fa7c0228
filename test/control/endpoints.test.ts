import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { MemorySupervisor, makeStatus } from './helpers/memory-supervisor.js';
import { httpRequest } from './helpers/raw-http.js';
import { serve, type Served } from './helpers/serve.js';

describe('control API endpoints', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve(new MemorySupervisor([
      makeStatus('web'),
      makeStatus('worker', { reload: 'dance' }),
      makeStatus('bad', { state: 'broken', pid: null, error: 'emperor.command: required' }),
      makeStatus('flaky'),
    ]));
  });
  afterAll(async () => {
    await s.stop();
  });

  test('GET /vassals lists every vassal status', async () => {
    const res = await httpRequest(s.socketPath, 'GET', '/vassals');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(res.text) as { vassals: { name: string }[] };
    expect(body.vassals.map((v) => v.name)).toEqual(['web', 'worker', 'bad', 'flaky']);
  });

  test('GET /vassals/:name answers one status', async () => {
    const web = await s.client.get('web');
    expect(web).toEqual(s.supervisor.get('web'));
  });

  test('GET /vassals/:name of an unknown vassal is a 404 naming the known ones', async () => {
    const res = await httpRequest(s.socketPath, 'GET', '/vassals/nope');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toEqual({ error: { code: 'EMP_ERR_UNKNOWN_VASSAL', message: "no vassal named 'nope' (known vassals: web, worker, bad, flaky)" } });
  });

  test('POST /vassals/:name/reload waits for the outcome and answers 200', async () => {
    const res = await httpRequest(s.socketPath, 'POST', '/vassals/web/reload');
    expect(res.status).toBe(200);
    const outcome = JSON.parse(res.text) as { ok: boolean; message: string; status: { generation: number } };
    expect(outcome.ok).toBe(true);
    expect(outcome.status.generation).toBe(2);
    expect(s.supervisor.calls.at(-1)).toEqual({ name: 'web', action: 'reload', wait: true });
  });

  test('?wait=0 and {"wait": false} ask the supervisor not to wait', async () => {
    await httpRequest(s.socketPath, 'POST', '/vassals/web/stop?wait=0');
    expect(s.supervisor.calls.at(-1)).toEqual({ name: 'web', action: 'stop', wait: false });
    await httpRequest(s.socketPath, 'POST', '/vassals/web/start', '{"wait": false}', { 'content-type': 'application/json' });
    expect(s.supervisor.calls.at(-1)).toEqual({ name: 'web', action: 'start', wait: false });
  });

  test('a failed outcome is answered 409 with the ActionOutcome', async () => {
    s.supervisor.failNext.set('flaky', 'ready-timeout of 5s passed');
    const res = await httpRequest(s.socketPath, 'POST', '/vassals/flaky/reload');
    expect(res.status).toBe(409);
    expect(JSON.parse(res.text)).toMatchObject({ ok: false, failedStep: 'stand-in ready', message: 'flaky: reload failed at stand-in ready: ready-timeout of 5s passed' });
  });

  test('the client returns failed outcomes instead of throwing', async () => {
    s.supervisor.failNext.set('flaky', 'boom');
    const outcome = await s.client.act('flaky', 'reload');
    expect(outcome.ok).toBe(false);
  });

  test('refused actions carry the error code and its status', async () => {
    const cases: [string, number, string][] = [
      ['/vassals/nope/stop', 404, 'EMP_ERR_UNKNOWN_VASSAL'],
      ['/vassals/web/explode', 404, 'EMP_ERR_UNKNOWN_ACTION'],
      ['/vassals/web/dance', 409, 'EMP_ERR_NO_DANCE'],
      ['/vassals/bad/start', 409, 'EMP_ERR_BROKEN'],
    ];
    for (const [path, status, code] of cases) {
      const res = await httpRequest(s.socketPath, 'POST', path);
      expect({ path, status: res.status, code: (JSON.parse(res.text) as { error: { code: string } }).error.code }).toEqual({ path, status, code });
    }
  });

  test('the client turns refusals into EmperorErrors with the same code', async () => {
    await expect(s.client.act('web', 'dance')).rejects.toMatchObject({ name: 'EmperorError', code: 'EMP_ERR_NO_DANCE' });
    await expect(s.client.get('nope')).rejects.toMatchObject({ code: 'EMP_ERR_UNKNOWN_VASSAL' });
  });

  test('POST /actions/:action acts on every name and answers each result in the order given', async () => {
    const res = await httpRequest(s.socketPath, 'POST', '/actions/reload', JSON.stringify({ names: ['flaky', 'web'] }), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as { results: { name: string; ok: boolean; message: string }[] };
    expect(body.results.map((r) => [r.name, r.ok])).toEqual([['flaky', true], ['web', true]]);
    expect(body.results[1]?.message).toMatch(/^web: running \(pid \d+, generation \d+\)$/);
    expect(s.supervisor.calls.slice(-2)).toEqual([{ name: 'flaky', action: 'reload', wait: true }, { name: 'web', action: 'reload', wait: true }]);
  });

  test('POST /actions/:action: a refusal or a failure fails only its own name, and the answer is 409', async () => {
    s.supervisor.failNext.set('flaky', 'boom');
    const results = await s.client.actAll(['web', 'nope', 'bad', 'flaky'], 'start', { wait: false });
    expect(results).toEqual([
      expect.objectContaining({ name: 'web', ok: true }),
      { name: 'nope', ok: false, code: 'EMP_ERR_UNKNOWN_VASSAL', message: "no vassal named 'nope'" },
      expect.objectContaining({ name: 'bad', ok: false, code: 'EMP_ERR_BROKEN' }),
      expect.objectContaining({ name: 'flaky', ok: false, failedStep: 'stand-in ready' }),
    ]);
    const raw = await httpRequest(s.socketPath, 'POST', '/actions/stop?wait=0', JSON.stringify({ names: ['nope'] }));
    expect(raw.status).toBe(409);
    expect(s.supervisor.calls.at(-1)).toEqual({ name: 'flaky', action: 'start', wait: false });
  });

  test('POST /actions/:action refuses a body without a list of names, and unknown actions', async () => {
    const cases: [string, string | undefined, number, string][] = [
      ['/actions/stop', undefined, 400, 'EMP_ERR_BAD_REQUEST'],
      ['/actions/stop', '{"names": "web"}', 400, 'EMP_ERR_BAD_REQUEST'],
      ['/actions/stop', '{"names": ["web", 3]}', 400, 'EMP_ERR_BAD_REQUEST'],
      ['/actions/stop', '{"names": ["web"], "force": true}', 400, 'EMP_ERR_BAD_REQUEST'],
      ['/actions/explode', '{"names": ["web"]}', 404, 'EMP_ERR_UNKNOWN_ACTION'],
    ];
    for (const [path, body, status, code] of cases) {
      const res = await httpRequest(s.socketPath, 'POST', path, body);
      expect({ path, body, status: res.status, code: (JSON.parse(res.text) as { error: { code: string } }).error.code }).toEqual({ path, body, status, code });
    }
  });

  test('POST /vassals/:name/dance runs the dance of a vassal that has one', async () => {
    const outcome = await s.client.act('worker', 'dance');
    expect(outcome).toMatchObject({ ok: true, message: 'worker: running (pid 2001, generation 2)' });
  });

  test('GET /emperor answers the emperor facts', async () => {
    expect(await s.client.info()).toEqual({ pid: process.pid, startedAt: 1_700_000_000_000, vassalsDir: '/vassals', sources: [], version: '0.1.0', problems: [], fleet: null });
  });

  test('GET /fleet on an emperor that runs alone is EMP_ERR_NOT_IN_FLEET (409)', async () => {
    await expect(s.client.fleet()).rejects.toMatchObject({ code: 'EMP_ERR_NOT_IN_FLEET' });
  });

  test('POST /fleet/dance/NAME on an emperor that runs alone is EMP_ERR_NOT_IN_FLEET (409), before any stream', async () => {
    await expect(s.client.fleetDance('worker')).rejects.toMatchObject({ code: 'EMP_ERR_NOT_IN_FLEET' });
  });

  test('names with reserved characters round-trip through percent-encoding', async () => {
    s.supervisor.vassals.set('a b#c', makeStatus('a b#c'));
    expect((await s.client.get('a b#c')).name).toBe('a b#c');
    s.supervisor.vassals.delete('a b#c');
  });
});
