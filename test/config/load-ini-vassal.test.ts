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
        log: { path: path.join(FIXTURES, 'logs/web.log'), maxBytes: undefined, backups: 5, format: 'timestamped' },
      },
      sockets: [
        { name: 'http', kind: 'tcp', host: '127.0.0.1', port: 8080 },
        { name: 'admin', kind: 'unix', path: path.join(FIXTURES, 'run/admin.sock'), mode: 0o600 },
      ],
      reload: 'dance',
      restart: { restart: 'never', burst: 5, windowMs: 60_000, maxRestarts: null },
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
    const warm = await vassals.write('w.ini', '[emperor]\ncommand = sh\nreload = dance\nwarm-standin = true\n[emperor.standin.env]\nA = 0\n');
    expect((await loadSpec(warm)).warmStandin).toBe(true);
    const file = await vassals.write('d.ini', '[emperor]\ncommand = sh\nstop-timeout = 3\nready-timeout = 1.5\n');
    expect((await loadSpec(file)).process).toMatchObject({ stopTimeoutMs: 3000, readyTimeoutMs: 1500 });
  });

  test('a bad value names its key', async () => {
    const file = await vassals.write('e.ini', '[emperor]\ncommand = sh\nrestart-burst = many\n[emperor.env]\nGOOD = 1\n');
    const { errors } = await loadProblems(file);
    expect(errors).toEqual([{ file, key: 'emperor.restart-burst', message: 'expected a whole number of respawns that happen at once, like 5 (0: always wait), got `many` (string)' }]);
  });

  test('every value is a string, as uWSGI reads it: null, false and quotes stay as written', async () => {
    const file = await vassals.write('s.ini', '[emperor]\ncommand = sh\n[emperor.env]\nA = null\nB = false\nC = "quoted"\nD =\n');
    expect((await loadSpec(file)).process.env).toEqual({ A: 'null', B: 'false', C: '"quoted"', D: '' });
  });

  test('a key given twice in the emperor section keeps the last value, with a warning', async () => {
    const file = await vassals.write('r.ini', '[emperor]\ncommand = sh\nstop-timeout = 1\nstop-timeout = 2\n');
    const spec = await loadSpec(file);
    expect(spec.process.stopTimeoutMs).toBe(2000);
    expect(spec.warnings).toEqual([`${file}: emperor.stop-timeout: given more than once (line 4 repeats it); the last one is used`]);
  });

  test('a comment after a section header is reported, not silently taken as part of the name', async () => {
    const file = await vassals.write('h.ini', '[emperor] ; main\ncommand = sh\n');
    const { warnings } = await loadProblems(file);
    expect(warnings).toEqual([`${file}: line 1: a section header must end with "]" (no comment after it); like uWSGI, read as the section named "emperor] ; mai"`]);
  });

  test('[emperor.standin] with file names a stand-in file', async () => {
    const standin = await vassals.write('restarter.yml', 'emperor:\n  command: [python, restart.py]\n');
    const file = await vassals.write('v/app.ini', '[emperor]\ncommand = sh\nreload = dance\n[emperor.standin]\nfile = ../restarter.yml\n');
    expect((await loadSpec(file)).standin).toMatchObject({ command: { kind: 'argv', argv: ['python', 'restart.py'] }, cwd: path.dirname(standin) });
  });

  test('only lines that begin with ; or # are comments: inline ; and # are part of the value, as uWSGI reads them', async () => {
    const file = await vassals.write('c.ini', '; a comment\n[emperor]\n  # an indented comment\ncommand = echo hi; sleep 100\n[emperor.env]\nDB = postgres://u:p#ss@h/db\n');
    expect((await loadSpec(file)).process).toMatchObject({ command: { kind: 'shell', script: 'echo hi; sleep 100' }, env: { DB: 'postgres://u:p#ss@h/db' } });
  });
});
