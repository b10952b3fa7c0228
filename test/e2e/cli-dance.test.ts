// `emperor restart-dance` and `emperor logs` against a real daemon.
import { afterEach, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { Emperor, REPO } from '../helpers/emperor.js';
import { freePort } from '../helpers/ports.js';
import { runCli } from '../cli/helpers/run-cli.js';

const DEMO = join(REPO, 'vassals.example', 'apps', 'demo-server.js');
let em: Emperor;
afterEach(async () => {
  expect(await em.cleanup()).toEqual([]);
});


function dancer(port: number, standinEnv: string): string {
  return `emperor:\n  command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(DEMO)}]\n  sockets: { http: "127.0.0.1:${port}" }\n  ready: notify\n  reload: dance\n  standin: { env: ${standinEnv}, ready-timeout: 2s }\n`;
}

describe('emperor restart-dance', () => {
  test('prints each step with its duration and exits 0; NAME may be omitted when one vassal dances', async () => {
    em = await new Emperor().start();
    em.write('app.yml', dancer(await freePort(), '{ JOB_HANDLERS: "0" }'));
    await em.waitRunning('app');
    const r = await runCli(['restart-dance', '--run-dir', em.runDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/stand-in ready in \d+\.\d+s/);
    expect(r.stdout).toMatch(/job handling paused/);
    expect(r.stdout).toMatch(/job handling resumed/);
    expect(r.stdout).toMatch(/stand-in stopped/);
    expect(r.stdout).toMatch(/restart dance done in/);
  });

  test('a failed dance exits 1 and names the failed step and why', async () => {
    em = await new Emperor().start();
    em.write('app.yml', dancer(await freePort(), '{ JOB_HANDLERS: "0", DEMO_STARTUP_DELAY_MS: "60000" }'));
    await em.waitRunning('app');
    const r = await runCli(['restart-dance', 'app', '--run-dir', em.runDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stand-in/);
    expect(r.stderr).toMatch(/ready-timeout|not ready/);
  });

  test('logs shows the instance output', async () => {
    em = await new Emperor().start();
    em.write('app.yml', dancer(await freePort(), '{ JOB_HANDLERS: "0" }'));
    await em.waitRunning('app');
    const r = await runCli(['logs', 'app', '-n', '5', '--run-dir', em.runDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/listening \(pid \d+/);
  });
});
