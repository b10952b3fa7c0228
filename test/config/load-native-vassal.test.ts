import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FIXTURES, loadProblems, loadSpec, useVassalDir } from './vassal-dir.js';

const vassals = useVassalDir();

describe('native YAML vassal', () => {
  test('every key of the emperor section is read and resolved', async () => {
    const file = path.join(FIXTURES, 'web.yml');
    const spec = await loadSpec(file);
    expect(spec).toEqual({
      name: 'web',
      file,
      format: 'yaml',
      flavour: 'native',
      process: {
        command: { kind: 'argv', argv: ['node', 'server.js', '--port', '8080'] },
        cwd: FIXTURES,
        env: { NODE_ENV: 'production', WORKERS: '4', DEBUG: 'false' },
        protocol: 'plain',
        stopSignal: 'SIGTERM',
        stopTimeoutMs: 15_000,
        ready: { kind: 'log', pattern: 'listening on \\d+' },
        readyTimeoutMs: 120_000,
        log: { path: path.join(FIXTURES, 'logs/web.log'), maxBytes: 50 * 1024 * 1024, backups: 5, format: 'timestamped' },
        heartbeatTimeoutMs: undefined,
        runAs: undefined,
        umask: undefined,
        limits: undefined,
      },
      standin: expect.objectContaining({ env: { NODE_ENV: 'production', WORKERS: '4', DEBUG: 'false', JOB_HANDLERS: '0' } }),
      sockets: [
        { name: 'http', kind: 'tcp', host: '127.0.0.1', port: 8080 },
        { name: 'admin', kind: 'unix', path: path.join(FIXTURES, 'run/admin.sock'), mode: 0o600 },
      ],
      reload: 'overlap',
      restart: { restart: 'on-failure', burst: 3, windowMs: 120_000, maxRestarts: 10 },
      contentHash: createHash('sha1').update(await readFile(file)).digest('hex'),
      warnings: [],
    });
  });

  test('a minimal vassal gets every default', async () => {
    const file = await vassals.write('app.yaml', 'emperor:\n  command: [node, app.js]\n');
    const spec = await loadSpec(file);
    expect(spec.process).toEqual({
      command: { kind: 'argv', argv: ['node', 'app.js'] },
      cwd: vassals.dir,
      env: {},
      protocol: 'plain',
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 10_000,
      ready: { kind: 'spawn' },
      readyTimeoutMs: 60_000,
      log: undefined,
      heartbeatTimeoutMs: undefined,
    });
    expect(spec).toMatchObject({ name: 'app', format: 'yaml', flavour: 'native', standin: undefined, sockets: [], reload: 'stop-start', warnings: [] });
  });

  test('singleton: fleet makes a fleet singleton; without it a vassal is not one', async () => {
    const fleet = await vassals.write('beat.yml', 'emperor:\n  command: [sh]\n  singleton: fleet\n');
    expect((await loadSpec(fleet)).singleton).toBe('fleet');
    const alone = await vassals.write('web.yml', 'emperor:\n  command: [sh]\n');
    expect((await loadSpec(alone)).singleton).toBeUndefined();
  });

  test('warm-standin: true keeps a warm stand-in; false or absent does not', async () => {
    const warm = await vassals.write('w.yml', 'emperor:\n  command: [sh]\n  reload: dance\n  standin: { env: { A: "0" } }\n  warm-standin: true\n');
    expect((await loadSpec(warm)).warmStandin).toBe(true);
    const off = await vassals.write('c.yml', 'emperor:\n  command: [sh]\n  reload: dance\n  standin: { env: { A: "0" } }\n  warm-standin: false\n');
    expect((await loadSpec(off)).warmStandin).toBeUndefined();
  });

  test('merge-stderr: yes merges stderr into stdout, for the stand-in too unless it says otherwise', async () => {
    const merged = await vassals.write('m.yml', 'emperor:\n  command: [sh]\n  merge-stderr: yes\n  reload: dance\n  standin: { env: { A: "0" } }\n');
    const spec = await loadSpec(merged);
    expect(spec.process.mergeStderr).toBe(true);
    expect(spec.standin?.mergeStderr).toBe(true);
    const apart = await vassals.write('a.yml', 'emperor:\n  command: [sh]\n  merge-stderr: true\n  reload: dance\n  standin: { merge-stderr: false }\n');
    expect((await loadSpec(apart)).standin?.mergeStderr).toBeUndefined();
    const plain = await vassals.write('p.yml', 'emperor:\n  command: [sh]\n');
    expect((await loadSpec(plain)).process.mergeStderr).toBeUndefined();
    const typo = await vassals.write('t.yml', 'emperor:\n  command: [sh]\n  merge-stderr: maybe\n');
    expect((await loadProblems(typo)).errors).toContainEqual({ file: typo, key: 'emperor.merge-stderr', message: 'expected true or false, got `maybe` (string)' });
  });

  test('a command string is a shell command', async () => {
    const file = await vassals.write('sh.yml', 'emperor:\n  command: "exec node app.js >> out.log"\n');
    expect((await loadSpec(file)).process.command).toEqual({ kind: 'shell', script: 'exec node app.js >> out.log' });
  });

  test('numbers in an argv list become strings', async () => {
    const file = await vassals.write('n.yml', 'emperor:\n  command: [node, app.js, --port, 8080]\n');
    expect((await loadSpec(file)).process.command).toEqual({ kind: 'argv', argv: ['node', 'app.js', '--port', '8080'] });
  });

  test('user, group, umask and limits resolve through the system databases (root and its group exist everywhere)', async () => {
    const file = await vassals.write('u.yml', [
      'emperor:',
      '  command: [node, app.js]',
      '  user: root',
      '  group: 0',
      '  umask: "027"',
      '  limits: { nofile: 65536, nproc: "100:200", core: unlimited, as: "2G:4G" }',
      '  sockets: { nginx: { path: web.sock, group: root, mode: "0660" } }',
      '',
    ].join('\n'));
    const spec = await loadSpec(file);
    expect(spec.process.runAs).toEqual({ user: 'root', uid: 0, gid: 0, home: expect.any(String), shell: expect.any(String) });
    expect(spec.process.umask).toBe(0o027);
    expect(spec.process.limits).toEqual({
      nofile: { soft: 65536, hard: 65536 },
      nproc: { soft: 100, hard: 200 },
      core: { soft: 'unlimited', hard: 'unlimited' },
      as: { soft: 2 * 1024 ** 3, hard: 4 * 1024 ** 3 },
    });
    // A unix socket belongs to the vassal's user unless it names its own owner.
    expect(spec.sockets).toEqual([{ name: 'nginx', kind: 'unix', path: path.join(vassals.dir, 'web.sock'), mode: 0o660, owner: 0, group: 0 }]);
  });

  test('reload defaults to overlap when the vassal has sockets', async () => {
    const file = await vassals.write('s.yml', 'emperor:\n  command: [node, app.js]\n  sockets: { http: ":0" }\n');
    const spec = await loadSpec(file);
    expect(spec.reload).toBe('overlap');
    expect(spec.sockets).toEqual([{ name: 'http', kind: 'tcp', host: '0.0.0.0', port: 0 }]);
  });

  test('ready accepts every form', async () => {
    const forms: Array<[string, unknown]> = [
      ['notify', { kind: 'notify' }],
      ['spawn', { kind: 'spawn' }],
      ['"log: ^ready$"', { kind: 'log', pattern: '^ready$' }],
      ['{ log: "Listening on" }', { kind: 'log', pattern: 'Listening on' }],
      ['"delay: 5s"', { kind: 'delay', ms: 5000 }],
      ['{ delay: 2 }', { kind: 'delay', ms: 2000 }],
    ];
    for (const [written, expected] of forms) {
      const file = await vassals.write('r.yml', `emperor:\n  command: [sh]\n  ready: ${written}\n`);
      expect((await loadSpec(file)).process.ready).toEqual(expected);
    }
  });

  test('stop-signal accepts SIGTERM, TERM and term alike', async () => {
    for (const written of ['SIGHUP', 'HUP', 'hup']) {
      const file = await vassals.write('sig.yml', `emperor:\n  command: [sh]\n  stop-signal: ${written}\n`);
      expect((await loadSpec(file)).process.stopSignal).toBe('SIGHUP');
    }
  });

  test('a relative cwd is resolved against the vassal file directory', async () => {
    await vassals.write('srv/app/.keep', '');
    const file = await vassals.write('rel.yml', 'emperor:\n  command: [sh]\n  cwd: srv/app\n');
    expect((await loadSpec(file)).process.cwd).toBe(path.join(vassals.dir, 'srv/app'));
  });

  test('the file path is kept as given, without resolving symlinks', async () => {
    const { symlink } = await import('node:fs/promises');
    const target = await vassals.write('real/app.yml', 'emperor:\n  command: [sh]\n');
    const link = path.join(vassals.dir, 'linked.yml');
    await symlink(target, link);
    const spec = await loadSpec(link);
    expect(spec).toMatchObject({ name: 'linked', file: link });
    expect(spec.process.cwd).toBe(vassals.dir);
  });

  test('the content hash changes with the content only', async () => {
    const file = await vassals.write('h.yml', 'emperor:\n  command: [sh]\n');
    const first = (await loadSpec(file)).contentHash;
    expect((await loadSpec(file)).contentHash).toBe(first);
    await vassals.write('h.yml', 'emperor:\n  command: [ls]\n');
    expect((await loadSpec(file)).contentHash).not.toBe(first);
  });

  test('a file with several YAML documents uses the first and warns', async () => {
    const file = await vassals.write('multi.yml', 'emperor:\n  command: [sh]\n---\nemperor:\n  command: [y]\n');
    const spec = await loadSpec(file);
    expect(spec.process.command).toEqual({ kind: 'argv', argv: ['sh'] });
    expect(spec.warnings).toEqual([`${file}: the file holds 2 YAML documents; only the first is used`]);
  });

  test('other top-level sections are ignored silently', async () => {
    const file = await vassals.write('g.yml', 'galaxy: { a: 1 }\nemperor:\n  command: [sh]\n');
    expect((await loadSpec(file)).warnings).toEqual([]);
  });
});

describe('native JSON vassal', () => {
  test('a JSON vassal has the same shape as YAML', async () => {
    const spec = await loadSpec(path.join(FIXTURES, 'web.json'));
    expect(spec).toMatchObject({
      name: 'web',
      format: 'json',
      flavour: 'native',
      process: { command: { kind: 'argv', argv: ['node', 'server.js', '--port', '8080'] }, stopTimeoutMs: 15_000, ready: { kind: 'delay', ms: 1500 } },
      sockets: [{ name: 'http', kind: 'tcp', host: '0.0.0.0', port: 8080 }],
      reload: 'overlap',
    });
  });
});

describe('after (start order)', () => {
  test('a list or a string of names separated by commas or spaces', async () => {
    expect((await loadSpec(await vassals.write('a.yml', 'emperor:\n  command: [sh]\n  after: [postgres, redis]\n'))).after).toEqual(['postgres', 'redis']);
    expect((await loadSpec(await vassals.write('b.ini', '[emperor]\ncommand = sh\nafter = postgres, redis\n'))).after).toEqual(['postgres', 'redis']);
    expect((await loadSpec(await vassals.write('c.yml', 'emperor:\n  command: [sh]\n'))).after).toBeUndefined();
  });

  test('not a name, or the vassal itself, is an error', async () => {
    const { errors } = await loadProblems(await vassals.write('web.yml', 'emperor:\n  command: [sh]\n  after: [web, "a/b", 3]\n'));
    expect(errors.map((e) => `${e.key}: ${e.message}`)).toEqual([
      'emperor.after[1]: expected a vassal name (its file name without the extension), got `a/b` (string)',
      'emperor.after[2]: expected a vassal name (its file name without the extension), got `3` (number)',
      'emperor.after: a vassal cannot wait for itself (web)',
    ]);
  });
});

describe('dirs', () => {
  test('paths relative to the vassal file, given to the original and the stand-in', async () => {
    const spec = await loadSpec(await vassals.write('pg.yml', 'emperor:\n  command: [sh]\n  dirs: [var/pg, /srv/abs]\n  reload: dance\n  standin: { env: { A: "1" } }\n'));
    expect(spec.process.dirs).toEqual([path.join(vassals.dir, 'var/pg'), '/srv/abs']);
    expect(spec.standin?.dirs).toEqual(spec.process.dirs);
  });

  test('not a list of paths is an error', async () => {
    const { errors } = await loadProblems(await vassals.write('pg.yml', 'emperor:\n  command: [sh]\n  dirs: var/pg\n'));
    expect(errors.map((e) => `${e.key}: ${e.message}`)).toEqual(['emperor.dirs: expected a list of directories like [var/postgres], got `var/pg` (string)']);
  });
});
