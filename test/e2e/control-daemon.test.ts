// The control socket of a real emperor process: permissions, stale sockets, bad requests, metrics, logto.
import { afterEach, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Emperor, emperorPool, FOREVER, nodeVassal } from '../helpers/emperor.js';
import { waitFor } from '../helpers/wait-for.js';
import { parsePrometheus, sampleValue } from '../control/helpers/prometheus.js';
import { httpRequest, rawExchange } from '../control/helpers/raw-http.js';
import { runCli } from '../cli/helpers/run-cli.js';

const pool = emperorPool();
afterEach(async () => {
  expect(await pool.cleanupAll()).toEqual([]);
});

describe('the control socket of a running emperor', () => {
  test('is created with mode 0600', async () => {
    const em = await pool.fresh().start();
    expect(statSync(em.control).mode & 0o777).toBe(0o600);
  });

  test('a stale socket left by a killed emperor is replaced', async () => {
    const em = await pool.fresh().start();
    em.write('a.yml', nodeVassal(FOREVER));
    await em.waitRunning('a');
    await em.kill9();
    expect(existsSync(em.control)).toBe(true);
    await em.start();
    await em.waitRunning('a');
    const r = await runCli(['status', 'a', '--json', '--run-dir', em.runDir]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'a', state: 'running' });
  });

  test('malformed requests get a 4xx with a JSON error and the emperor keeps serving', async () => {
    const em = await pool.fresh().start();
    em.write('a.yml', nodeVassal(FOREVER));
    await em.waitRunning('a');
    const answers = [
      await httpRequest(em.control, 'GET', '/vassals/nope'),
      await httpRequest(em.control, 'POST', '/vassals/a/explode'),
      await httpRequest(em.control, 'POST', '/vassals/a/stop', '{not json', { 'content-type': 'application/json' }),
      await httpRequest(em.control, 'DELETE', '/vassals'),
      await httpRequest(em.control, 'GET', '/no/such/endpoint'),
      await httpRequest(em.control, 'POST', '/vassals/a/reload', Buffer.alloc(70 * 1024, 'x')),
    ];
    for (const a of answers) {
      expect(a.status).toBeGreaterThanOrEqual(400);
      expect(a.status).toBeLessThan(500);
      expect(JSON.parse(a.text).error.message).toEqual(expect.any(String));
    }
    await rawExchange(em.control, 'THIS IS NOT HTTP\r\n\r\n').catch(() => '');
    expect(em.exitCode).toBeNull();
    expect((await em.status('a'))?.state).toBe('running');
  });

  test('/metrics is Prometheus text with the vassal series', async () => {
    const em = await pool.fresh().start();
    em.write('a.yml', nodeVassal(FOREVER));
    await em.waitRunning('a');
    const r = await runCli(['metrics', '--run-dir', em.runDir]);
    expect(r.code).toBe(0);
    const m = parsePrometheus(r.stdout);
    expect(sampleValue(m, 'emperor_vassals', { state: 'running' })).toBe(1);
    expect(sampleValue(m, 'emperor_spawns_total', { vassal: 'a' })).toBe(1);
    expect(sampleValue(m, 'emperor_vassal_ready', { vassal: 'a' })).toBe(1);
    expect(sampleValue(m, 'emperor_instance_uptime_seconds', { vassal: 'a' })).toBeGreaterThanOrEqual(0);
    expect(r.stdout).toMatch(/^process_resident_memory_bytes /m);
  });

  test('logto sends an instance output to a file of its own', async () => {
    const em: Emperor = await pool.fresh().start();
    const file = join(em.dir, 'logs', 'a.log');
    em.write('a.yml', nodeVassal("console.log('hello to the file'); setInterval(() => {}, 1000);", `  logto: ${file}\n`));
    await em.waitRunning('a');
    await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').includes('hello to the file'), { message: 'line in the logto file' });
    expect(em.logs.some((l) => String(l.msg).includes('hello to the file'))).toBe(false);
  });
});
