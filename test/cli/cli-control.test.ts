import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { join } from 'node:path';
import { MemorySupervisor, makeStatus } from '../control/helpers/memory-supervisor.js';
import { serve, type Served } from '../control/helpers/serve.js';
import { ensureBuilt, runCli } from './helpers/run-cli.js';

describe('CLI commands against a control server', () => {
  let s: Served;
  let conn: string[];
  beforeAll(async () => {
    ensureBuilt();
    s = await serve(new MemorySupervisor([
      makeStatus('web', { uptime: 10_931, restarts: 2, generation: 3, pid: 4242 }),
      makeStatus('worker', { reload: 'dance', uptime: 2 * 86_400 + 3603 }),
      makeStatus('bad', { state: 'broken', pid: null, uptime: null, note: 'emperor.command: required' }),
    ]));
    conn = ['--control', s.socketPath];
  });
  afterAll(async () => {
    await s.stop();
  });

  test('status prints a table with human uptimes and no colour when piped', async () => {
    const r = await runCli(['status', ...conn], { NO_COLOR: undefined });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATE\s+PID\s+UPTIME\s+GEN\s+RESTARTS\s+RELOAD\s+SOCKETS\s+NOTE$/);
    expect(lines[1]).toMatch(/^web\s+running\s+4242\s+3:02:11\s+3\s+2\s+\S+\s+\S+$/);
    expect(lines[2]).toMatch(/^worker\s+running\s+1000\s+2 days, 1:00:03\s+1\s+0\s+dance\s+\S+$/);
    expect(lines[3]).toMatch(/^bad\s+broken\s+-\s+-\s+1\s+0\s+\S+\s+\S+\s+emperor\.command: required$/);
    expect(r.stdout).not.toContain('\u001b[');
  });

  test('status --json prints the array, and one object for NAME', async () => {
    const all = await runCli(['status', '--json', ...conn]);
    expect(all.code).toBe(0);
    expect((JSON.parse(all.stdout) as { name: string }[]).map((v) => v.name)).toEqual(['web', 'worker', 'bad']);
    const one = await runCli(['status', 'web', '--json', ...conn]);
    expect(JSON.parse(one.stdout)).toMatchObject({ name: 'web', pid: 4242 });
  });

  test('status of an unknown vassal exits 1 and names the known ones', async () => {
    const r = await runCli(['status', 'nope', ...conn]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("emperor: no vassal named 'nope' (known vassals: web, worker, bad)\n");
  });

  test('options before the command and EMPEROR_RUN_DIR find the socket too', async () => {
    expect((await runCli(['--control', s.socketPath, 'status'])).code).toBe(0);
    expect((await runCli(['status'], { EMPEROR_RUN_DIR: s.runDir })).code).toBe(0);
    expect((await runCli(['status', '--run-dir', s.runDir])).code).toBe(0);
  });

  test('stop, start and reload print the outcome and exit 0', async () => {
    const stop = await runCli(['stop', 'web', ...conn]);
    expect(stop).toMatchObject({ code: 0, stdout: 'web: stopped\n' });
    const start = await runCli(['start', 'web', ...conn]);
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/^web: running \(pid \d+, generation 4\)\n$/);
    const reload = await runCli(['reload', 'web', '--no-wait', ...conn]);
    expect(reload).toMatchObject({ code: 0, stdout: 'web: reload accepted\n' });
    expect(s.supervisor.calls.at(-1)).toEqual({ name: 'web', action: 'reload', wait: false });
  });

  test('a failed action exits 1 and says which step failed and why', async () => {
    s.supervisor.failNext.set('web', 'ready-timeout of 5s passed');
    const r = await runCli(['reload', 'web', ...conn]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('failed: web: reload failed at stand-in ready: ready-timeout of 5s passed\n');
  });

  test('a refused action exits 1 with the reason, worded as a failure', async () => {
    const r = await runCli(['start', 'bad', ...conn]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^failed: .*is invalid/);
  });

  test('restart-dance picks the only dancer and prints each step with its duration', async () => {
    const r = await runCli(['restart-dance', ...conn]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('worker: restart dance');
    expect(lines.slice(1, 6)).toEqual([
      '  stand-in started in 0.10s',
      '  stand-in ready in 0.20s',
      '  original stopped in 0.30s',
      '  original ready in 0.40s',
      '  stand-in stopped in 0.50s',
    ]);
    expect(lines[6]).toMatch(/^worker: running \(pid \d+, generation \d+\)$/);
  });

  test('a failed dance exits 1 with the failed step and reason', async () => {
    s.supervisor.failNext.set('worker', 'no READY=1 within 30s');
    const r = await runCli(['restart-dance', 'worker', ...conn]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  stand-in started in 0.10s');
    expect(r.stderr).toBe('failed: worker: dance failed at stand-in ready: no READY=1 within 30s\n');
  });

  test('restart-dance without NAME is a usage error when several vassals can dance', async () => {
    s.supervisor.vassals.set('queue', makeStatus('queue', { reload: 'dance' }));
    try {
      const r = await runCli(['restart-dance', ...conn]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('emperor: several vassals can dance: worker, queue; name them or use --all\n');
      const all = await runCli(['restart-dance', '--all', ...conn]);
      expect(all.code).toBe(0);
      expect(all.stdout).toMatch(/^worker: stand-in started in 0\.10s$/m);
      expect(all.stdout).toMatch(/^queue: stand-in started in 0\.10s$/m);
      expect(all.stdout).toMatch(/^worker\s+ok\s+running/m);
      expect(all.stdout).toMatch(/^queue\s+ok\s+running/m);
    } finally {
      s.supervisor.vassals.delete('queue');
    }
  });

  test('restart-dance of a vassal without a stand-in exits 1', async () => {
    const r = await runCli(['restart-dance', 'web', ...conn]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^failed: web has no stand-in\n$/);
    expect(r.stdout).toBe('');
  });

  test('logs prints the last lines', async () => {
    for (const l of ['alpha', 'beta', 'gamma']) s.supervisor.addOutput('web', l);
    const r = await runCli(['logs', 'web', '-n', '2', ...conn]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\S+Z #5 stdout: beta\n\S+Z #5 stdout: gamma\n$/);
  });

  test('metrics prints Prometheus text', async () => {
    const r = await runCli(['metrics', ...conn]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# HELP /m);
    expect(r.stdout).toContain('emperor_vassals{state="broken"} 1');
  });

  test('without an emperor every command exits 3 naming the socket it tried', async () => {
    const missing = join(s.runDir, 'nobody.sock');
    for (const args of [['status'], ['stop', 'web'], ['restart-dance', 'web'], ['logs', 'web'], ['metrics']]) {
      const r = await runCli([...args, '--control', missing]);
      expect({ args, code: r.code }).toEqual({ args, code: 3 });
      expect(r.stderr).toContain(`no emperor at ${missing}: no such socket file`);
    }
  });
});
