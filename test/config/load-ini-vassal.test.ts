import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { FIXTURES, loadProblems, loadSpec, useVassalDir } from './vassal-dir.js';

const vassals = useVassalDir();

describe('native INI vassal', () => {
  test('the emperor, env, sockets and standin sections are all read', async () => {
    const spec = await loadSpec(path.join(FIXTURES, 'web.ini'));
    expect(spec).toMatchObject({
      name: 'web',
      format: 'ini',
      flavour: 'native',
      process: {
        command: { kind: 'shell', script: 'node server.js --port 8080' },
        env: { NODE_ENV: 'production', DEBUG: 'false' },
        stopSignal: 'SIGTERM',
        stopTimeoutMs: 15_000,
        ready: { kind: 'log', pattern: 'listening on \\d+' },
        readyTimeoutMs: 120_000,
        logto: path.join(FIXTURES, 'logs/web.log'),
      },
      sockets: [
        { name: 'http', kind: 'tcp', host: '127.0.0.1', port: 8080 },
        { name: 'admin', kind: 'unix', path: path.join(FIXTURES, 'run/admin.sock'), mode: 0o600 },
      ],
      reload: 'dance',
      warnings: [],
    });
    expect(spec.standin).toMatchObject({
      command: { kind: 'shell', script: 'node server.js --port 8080' },
      env: { NODE_ENV: 'production', DEBUG: 'false', JOB_HANDLERS: '0' },
      ready: { kind: 'spawn' },
    });
  });

  test('command[] lines give an argv list', async () => {
    const file = await vassals.write('argv.ini', '[emperor]\ncommand[] = node\ncommand[] = app.js\ncommand[] = --port=8080\n');
    expect((await loadSpec(file)).process.command).toEqual({ kind: 'argv', argv: ['node', 'app.js', '--port=8080'] });
  });

  test('a bare number in INI is a duration in seconds', async () => {
    const file = await vassals.write('d.ini', '[emperor]\ncommand = x\nstop-timeout = 3\nready-timeout = 1.5\n');
    expect((await loadSpec(file)).process).toMatchObject({ stopTimeoutMs: 3000, readyTimeoutMs: 1500 });
  });

  test('a bad value in [emperor.env] names its key', async () => {
    const file = await vassals.write('e.ini', '[emperor]\ncommand = x\n[emperor.env]\nGOOD = 1\nBAD = null\n');
    const { errors } = await loadProblems(file);
    expect(errors).toEqual([{ file, key: 'emperor.env.BAD', message: expect.stringContaining('expected a string, number or boolean') }]);
  });

  test('[emperor.standin] with file names a stand-in file', async () => {
    const standin = await vassals.write('restarter.yml', 'emperor:\n  command: [python, restart.py]\n');
    const file = await vassals.write('v/app.ini', '[emperor]\ncommand = x\nreload = dance\n[emperor.standin]\nfile = ../restarter.yml\n');
    expect((await loadSpec(file)).standin).toMatchObject({ command: { kind: 'argv', argv: ['python', 'restart.py'] }, cwd: path.dirname(standin) });
  });

  test('; and # start comments unless escaped or double-quoted', async () => {
    const file = await vassals.write('c.ini', '[emperor]\ncommand = echo a\\; echo b # note\n[emperor.env]\nQUOTED = "x;y#z"\n');
    expect((await loadSpec(file)).process).toMatchObject({ command: { kind: 'shell', script: 'echo a; echo b' }, env: { QUOTED: 'x;y#z' } });
  });
});
