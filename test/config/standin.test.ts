import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { OPTS, loadProblems, loadSpec, useVassalDir } from './vassal-dir.js';

const vassals = useVassalDir();

describe('stand-in overrides', () => {
  test('env is merged key by key and other keys are replaced', async () => {
    await vassals.write('other/.keep', '');
    const file = await vassals.write(
      'app.yml',
      [
        'emperor:',
        '  command: [node, app.js]',
        '  env: { A: "1", B: "2" }',
        '  ready: notify',
        '  stop-timeout: 20s',
        '  reload: dance',
        '  standin:',
        '    env: { B: "3", C: "4" }',
        '    command: [node, standin.js]',
        '    cwd: other',
        '    ready: "delay: 1s"',
        '',
      ].join('\n'),
    );
    const spec = await loadSpec(file);
    expect(spec.standin).toEqual({
      ...spec.process,
      command: { kind: 'argv', argv: ['node', 'standin.js'] },
      cwd: path.join(vassals.dir, 'other'),
      env: { A: '1', B: '3', C: '4' },
      ready: { kind: 'delay', ms: 1000 },
      stopTimeoutMs: 20_000,
    });
  });

  test('a new command on a uWSGI vassal makes a plain stand-in', async () => {
    const file = await vassals.write('u.yml', 'uwsgi: { heartbeat: 10 }\nemperor:\n  standin: { command: [python, restarter.py] }\n');
    expect((await loadSpec(file)).standin).toMatchObject({
      command: { kind: 'argv', argv: ['python', 'restarter.py'] },
      protocol: 'plain',
      stopSignal: 'SIGTERM',
      ready: { kind: 'spawn' },
      heartbeatTimeoutMs: undefined,
    });
  });

  test('an unknown key in standin is an error with a suggestion', async () => {
    const file = await vassals.write('w.yml', 'emperor:\n  command: [sh]\n  standin: { evn: { A: "1" } }\n');
    expect((await loadProblems(file)).errors).toEqual([{ file, key: 'emperor.standin.evn', message: 'unknown key; did you mean env?' }]);
  });

  test('file and overrides together are rejected', async () => {
    const file = await vassals.write('both.yml', 'emperor:\n  command: [sh]\n  standin: { file: s.yml, env: { A: "1" } }\n');
    const { errors } = await loadProblems(file);
    expect(errors).toEqual([{ file, key: 'emperor.standin', message: expect.stringContaining('expected either `file` or overrides') }]);
  });
});

describe('stand-in file', () => {
  test('a native stand-in file gives its own process, resolved against its own directory', async () => {
    const standin = await vassals.write('restarters/galaxy-restarter.yml', 'emperor:\n  command: [python, restart.py]\n  env: { MODE: standin }\n');
    const file = await vassals.write('vassals/galaxy.yml', 'emperor:\n  command: [sh]\n  reload: dance\n  standin: { file: ../restarters/galaxy-restarter.yml }\n');
    const spec = await loadSpec(file);
    expect(spec.reload).toBe('dance');
    expect(spec.standin).toMatchObject({
      command: { kind: 'argv', argv: ['python', 'restart.py'] },
      cwd: path.dirname(standin),
      env: { MODE: 'standin' },
      protocol: 'plain',
    });
  });

  test('a uWSGI stand-in file runs through the wrapper with that file', async () => {
    const standin = await vassals.write('restarter.ini', '[uwsgi]\nmule = a.py\nmule = b.py\nheartbeat = 10\n');
    const file = await vassals.write('vassals/galaxy.yml', 'uwsgi: { master: true }\nemperor:\n  reload: dance\n  standin: { file: ../restarter.ini }\n');
    const spec = await loadSpec(file);
    expect(spec.standin).toMatchObject({
      command: { kind: 'argv', argv: [OPTS.vassalWrapper, '--ini', standin] },
      protocol: 'uwsgi',
      ready: { kind: 'uwsgi' },
      heartbeatTimeoutMs: 30_000,
    });
  });

  test('problems in the stand-in file are reported with that file path', async () => {
    const standin = await vassals.write('s.yml', 'emperor:\n  command: [sh]\n  stop-timeout: soon\n');
    const file = await vassals.write('v/app.yml', 'emperor:\n  command: [sh]\n  standin: { file: ../s.yml }\n');
    const { errors } = await loadProblems(file);
    expect(errors).toEqual([{ file: standin, key: 'emperor.stop-timeout', message: expect.stringContaining('expected a duration like 10s') }]);
  });

  test('a missing stand-in file is a problem of the vassal key standin.file', async () => {
    const file = await vassals.write('app.yml', 'emperor:\n  command: [sh]\n  standin: { file: nowhere.yml }\n');
    const { errors } = await loadProblems(file);
    expect(errors).toEqual([{ file, key: 'emperor.standin.file', message: `the stand-in file ${path.join(vassals.dir, 'nowhere.yml')} does not exist` }]);
  });

  test('an empty stand-in file is reported with its own path', async () => {
    const standin = await vassals.write('empty.yml', '');
    const file = await vassals.write('app.yml', 'emperor:\n  command: [sh]\n  standin: { file: empty.yml }\n');
    expect((await loadProblems(file)).errors).toEqual([{ file: standin, key: '', message: 'file is empty' }]);
  });

  test('vassal-only keys in a stand-in file are ignored with a warning', async () => {
    const standin = await vassals.write('s.yml', 'emperor:\n  command: [sh]\n  reload: overlap\n');
    const file = await vassals.write('v/app.yml', 'emperor:\n  command: [sh]\n  standin: { file: ../s.yml }\n');
    expect((await loadSpec(file)).warnings).toEqual([`${standin}: emperor.reload: ignored in a stand-in file: the vassal's own setting applies`]);
  });
});
