import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { FIXTURES, OPTS, loadProblems, loadSpec, useVassalDir } from './vassal-dir.js';

const vassals = useVassalDir();

describe('uWSGI vassal', () => {
  test('a YAML uWSGI file with repeated keys loads and runs through the wrapper', async () => {
    const file = path.join(FIXTURES, 'galaxy.yml');
    const spec = await loadSpec(file);
    expect(spec).toMatchObject({
      name: 'galaxy',
      format: 'yaml',
      flavour: 'uwsgi',
      reload: 'dance',
      sockets: [],
      warnings: [],
      process: {
        command: { kind: 'argv', argv: [OPTS.vassalWrapper, '--yaml', file] },
        cwd: FIXTURES,
        env: {},
        protocol: 'uwsgi',
        stopSignal: 'SIGINT',
        stopTimeoutMs: 10_000,
        ready: { kind: 'uwsgi' },
        readyTimeoutMs: 60_000,
        heartbeatTimeoutMs: 30_000,
      },
    });
    expect(spec.standin).toEqual({ ...spec.process, env: { GALAXY_CONFIG_JOB_HANDLERS: '0' } });
  });

  test('an INI uWSGI file with repeated keys loads with --ini and its [emperor] settings', async () => {
    const file = path.join(FIXTURES, 'galaxy.ini');
    const spec = await loadSpec(file);
    expect(spec).toMatchObject({
      format: 'ini',
      flavour: 'uwsgi',
      reload: 'in-place',
      process: {
        command: { kind: 'argv', argv: [OPTS.vassalWrapper, '--ini', file] },
        env: { GALAXY_LOGGING: 'console' },
        stopTimeoutMs: 30_000,
        heartbeatTimeoutMs: undefined,
      },
    });
  });

  test('a JSON uWSGI file runs with --json', async () => {
    const file = await vassals.write('u.json', '{"uwsgi": {"http": ":8080"}}');
    expect((await loadSpec(file)).process.command).toEqual({ kind: 'argv', argv: [OPTS.vassalWrapper, '--json', file] });
  });

  test('emperor.heartbeat-timeout wins over the uwsgi heartbeat default', async () => {
    const file = await vassals.write('hb.yml', 'uwsgi:\n  heartbeat: 5\nemperor:\n  heartbeat-timeout: 12s\n');
    expect((await loadSpec(file)).process.heartbeatTimeoutMs).toBe(12_000);
  });

  test('the emperor section of a uWSGI vassal sets cwd, env, sockets and timeouts', async () => {
    await vassals.write('srv/.keep', '');
    const file = await vassals.write(
      'u.yml',
      'uwsgi: { master: true }\nemperor:\n  cwd: srv\n  env: { A: b }\n  sockets: { http: "[::1]:8080" }\n  ready-timeout: 90s\n  reload: overlap\n',
    );
    const spec = await loadSpec(file);
    expect(spec).toMatchObject({
      reload: 'overlap',
      sockets: [{ name: 'http', kind: 'tcp', host: '::1', port: 8080 }],
      process: { cwd: path.join(vassals.dir, 'srv'), env: { A: 'b' }, readyTimeoutMs: 90_000, protocol: 'uwsgi' },
    });
  });

  test('ready and stop-signal in a uWSGI vassal are ignored with a warning', async () => {
    const file = await vassals.write('w.yml', 'uwsgi: { master: true }\nemperor:\n  ready: notify\n  stop-signal: TERM\n');
    const spec = await loadSpec(file);
    expect(spec.process).toMatchObject({ ready: { kind: 'uwsgi' }, stopSignal: 'SIGINT' });
    expect(spec.warnings).toEqual([
      `${file}: emperor.ready: uWSGI vassals report readiness through the emperor protocol (ignored)`,
      `${file}: emperor.stop-signal: uWSGI vassals are stopped through the emperor protocol (ignored)`,
    ]);
  });

  test('emperor.command next to a uwsgi section makes a native vassal', async () => {
    const file = await vassals.write('n.yml', 'uwsgi: { master: true }\nemperor:\n  command: [uwsgi, --yaml, n.yml]\n');
    expect((await loadSpec(file)).flavour).toBe('native');
  });

  test('a uwsgi section that is not a mapping is an error', async () => {
    const file = await vassals.write('bad.yml', 'uwsgi: [a, b]\n');
    const { errors } = await loadProblems(file);
    expect(errors).toEqual([{ file, key: 'uwsgi', message: 'expected a mapping of uWSGI options, got a list' }]);
  });
});
