import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VassalStatus } from '../../src/core/status.js';
import { tempDir } from '../control/helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { ensureBuilt, ROOT, runCli } from '../cli/helpers/run-cli.js';

describe('the CLI driving a real emperor daemon', () => {
  let dir: { path: string; remove(): Promise<void> };
  let daemon: ChildProcess;
  let runDir: string;
  let daemonLog = '';
  let exited: Promise<number | null>;

  async function status(): Promise<VassalStatus> {
    const r = await runCli(['status', 'forever', '--json', '--run-dir', runDir]);
    if (r.code !== 0) throw new Error(`status exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as VassalStatus;
  }

  async function waitForState(state: string, message: string): Promise<VassalStatus> {
    let last: VassalStatus | undefined;
    await waitFor(async () => {
      const r = await runCli(['status', 'forever', '--json', '--run-dir', runDir]);
      if (r.code !== 0) return false;
      last = JSON.parse(r.stdout) as VassalStatus;
      return last.state === state;
    }, { timeout: 15_000, message: `${message} (last: ${JSON.stringify(last?.state)}; daemon log: ${daemonLog.slice(-2000)})` });
    return last!;
  }

  beforeAll(async () => {
    ensureBuilt();
    dir = await tempDir();
    const vassals = join(dir.path, 'vassals');
    runDir = join(dir.path, 'run');
    await mkdir(vassals);
    await writeFile(join(vassals, 'forever.yaml'), 'emperor:\n  command: [node, -e, "setInterval(()=>{},1000)"]\n');
    daemon = spawn(process.execPath, [join(ROOT, 'bin', 'emperor.js'), '--vassals', vassals, '--run-dir', runDir, '--log-format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout?.on('data', (c: Buffer) => (daemonLog += c.toString()));
    daemon.stderr?.on('data', (c: Buffer) => (daemonLog += c.toString()));
    exited = new Promise((resolve) => daemon.once('exit', (code) => resolve(code)));
    await waitFor(() => existsSync(join(runDir, 'control.sock')), { timeout: 15_000, message: `the control socket appears (daemon log: ${daemonLog})` });
  });

  afterAll(async () => {
    if (daemon.exitCode === null && daemon.signalCode === null) {
      daemon.kill('SIGTERM');
      await exited;
    }
    await dir.remove();
  });

  test('status shows the vassal running', async () => {
    const running = await waitForState('running', 'the vassal runs');
    expect(running.pid).toEqual(expect.any(Number));
    const table = await runCli(['status', '--run-dir', runDir]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^forever\s+running\s+\d+\s+\d+:\d\d:\d\d/m);
  });

  test('stop, start and reload work through the CLI', async () => {
    const stop = await runCli(['stop', 'forever', '--run-dir', runDir]);
    expect({ code: stop.code, stderr: stop.stderr }).toEqual({ code: 0, stderr: '' });
    expect((await status()).state).toBe('stopped');

    const start = await runCli(['start', 'forever', '--run-dir', runDir]);
    expect({ code: start.code, stderr: start.stderr }).toEqual({ code: 0, stderr: '' });
    const started = await waitForState('running', 'the vassal runs again');

    const reload = await runCli(['reload', 'forever', '--run-dir', runDir]);
    expect({ code: reload.code, stderr: reload.stderr }).toEqual({ code: 0, stderr: '' });
    const reloaded = await waitForState('running', 'the vassal runs after the reload');
    expect(reloaded.generation).toBeGreaterThan(started.generation);
    expect(reloaded.pid).not.toBe(started.pid);
  });

  test('metrics from the daemon include the fleet series', async () => {
    const r = await runCli(['metrics', '--run-dir', runDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('emperor_vassal_ready{vassal="forever"} 1');
    expect(r.stdout).toMatch(/emperor_spawns_total\{vassal="forever"\} [1-9]/);
  });

  test('SIGTERM stops the daemon with exit code 0 and the socket is gone', async () => {
    daemon.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(runDir, 'control.sock'))).toBe(false);
    const r = await runCli(['status', '--run-dir', runDir]);
    expect(r.code).toBe(3);
  });
});
