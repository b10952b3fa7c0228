import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { loadProblems, loadSpec, useVassalDir } from './vassal-dir.js';
import { formatProblem } from '../../src/config/spec.js';
import { loadVassalFile } from '../../src/config/load-vassal-file.js';
import { chmod } from 'node:fs/promises';

const vassals = useVassalDir();

// Write `emperor:` with a command plus the given extra lines, and return the single problem it has.
async function onlyProblem(extra: string, name = 'app.yml'): Promise<{ file: string; key: string; message: string }> {
  const file = await vassals.write(name, `emperor:\n  command: [node, app.js]\n${extra}`);
  const { errors } = await loadProblems(file);
  expect(errors).toHaveLength(1);
  expect(errors[0]?.file).toBe(file);
  return errors[0] as { file: string; key: string; message: string };
}

describe('every wrong value names the file, the key and what was expected', () => {
  const cases: Array<[string, string, string, string]> = [
    ['bad duration', '  stop-timeout: abc\n', 'emperor.stop-timeout', 'expected a duration like 10s, 500ms or 2m, got `abc` (string)'],
    ['negative duration', '  stop-timeout: -1\n', 'emperor.stop-timeout', 'got `-1` (number)'],
    ['zero ready-timeout', '  ready-timeout: 0\n', 'emperor.ready-timeout', 'expected a duration greater than zero'],
    ['bad signal', '  stop-signal: SIGFOO\n', 'emperor.stop-signal', 'expected a signal name like SIGTERM, TERM or SIGINT, got `SIGFOO` (string)'],
    ['numeric signal', '  stop-signal: 15\n', 'emperor.stop-signal', 'got `15` (number)'],
    ['bad regex', '  ready: "log: (unclosed"\n', 'emperor.ready', 'expected a valid regular expression, got `(unclosed` (string)'],
    ['unknown ready kind', '  ready: tcp\n', 'emperor.ready', 'expected one of notify, spawn, "log: REGEX"'],
    ['bad ready delay', '  ready: { delay: forever }\n', 'emperor.ready', 'expected a duration like 10s'],
    ['delay not shorter than ready-timeout', '  ready: "delay: 90s"\n', 'emperor.ready', 'expected a delay shorter than ready-timeout (1m), got 90s'],
    ['bad singleton', '  singleton: yes\n', 'emperor.singleton', 'expected fleet (one instance across the whole fleet of emperors, see docs/fleet.md), got `yes` (string)'],
    ['warm-standin not a flag', '  warm-standin: maybe\n', 'emperor.warm-standin', 'expected true or false, got `maybe` (string)'],
    ['warm-standin without a stand-in', '  warm-standin: true\n', 'emperor.warm-standin', 'a warm stand-in needs a stand-in: add `emperor.standin`'],
    ['bad reload', '  reload: graceful\n', 'emperor.reload', 'expected one of stop-start, overlap, dance, in-place, got `graceful` (string)'],
    ['in-place on a native vassal', '  reload: in-place\n', 'emperor.reload', 'in-place reloads need a uWSGI vassal'],
    ['dance without a stand-in', '  reload: dance\n', 'emperor.reload', 'dance needs a stand-in: add `emperor.standin`'],
    ['env not a mapping', '  env: [A=1]\n', 'emperor.env', 'expected a mapping of variable names to values'],
    ['env value a list', '  env: { A: [1] }\n', 'emperor.env.A', 'expected a string, number or boolean (quote it to be sure), got a list'],
    ['env value empty', '  env: { A: }\n', 'emperor.env.A', 'got an empty value'],
    ['cwd not a string', '  cwd: 5\n', 'emperor.cwd', 'expected a path'],
    ['logto empty', '  logto: ""\n', 'emperor.logto', 'expected a path'],
    ['log-max-size without a unit it knows', '  logto: a.log\n  log-max-size: 5 parsecs\n', 'emperor.log-max-size', 'expected a size greater than zero like 200KB, 50MB or 1GB, got `5 parsecs` (string)'],
    ['log-max-size zero', '  logto: a.log\n  log-max-size: 0\n', 'emperor.log-max-size', 'expected a size greater than zero'],
    ['log-backups negative', '  logto: a.log\n  log-backups: -1\n', 'emperor.log-backups', 'expected how many rotated files to keep, 0 to 1000'],
    ['log-format unknown', '  logto: a.log\n  log-format: xml\n', 'emperor.log-format', 'expected one of timestamped, plain, json, got `xml` (string)'],
    ['bad socket address', '  sockets: { http: "localhost:8080" }\n', 'emperor.sockets.http', 'expected an IPv4 address'],
    ['port out of range', '  sockets: { http: "127.0.0.1:70000" }\n', 'emperor.sockets.http', 'expected a port from 0 to 65535'],
    ['socket address not a string', '  sockets: { http: 8080 }\n', 'emperor.sockets.http', 'expected an address like "127.0.0.1:8080"'],
    ['bad socket name', '  sockets: { "my socket": ":80" }\n', 'emperor.sockets.my socket', 'expected a socket name made of letters'],
    ['mode on a TCP socket', '  sockets: { http: { address: ":80", mode: "0600" } }\n', 'emperor.sockets.http.mode', 'a mode applies only to unix sockets'],
    ['owner on a TCP socket', '  sockets: { http: { address: ":80", owner: root } }\n', 'emperor.sockets.http.owner', 'an owner applies only to unix sockets'],
    ['both address and path', '  sockets: { s: { address: "unix:a.sock", path: b.sock } }\n', 'emperor.sockets.s.path', 'give either `address` or `path`'],
    ['unknown socket owner', '  sockets: { s: { path: s.sock, owner: no-such-user-here } }\n', 'emperor.sockets.s.owner', 'no-such-user-here'],
    ['unknown user', '  user: no-such-user-here\n', 'emperor.user', 'no-such-user-here'],
    ['user a list', '  user: [a]\n', 'emperor.user', 'expected a user name or number'],
    ['umask not octal', '  umask: "089"\n', 'emperor.umask', 'expected an octal umask'],
    ['unknown limit', '  limits: { files: 10 }\n', 'emperor.limits.files', 'expected one of the limits'],
    ['limit soft above hard', '  limits: { nofile: "10:5" }\n', 'emperor.limits.nofile', 'no higher than the hard one'],
    ['size on a count limit', '  limits: { nofile: 1K }\n', 'emperor.limits.nofile', 'expected a limit as soft[:hard]'],
    ['user in a stand-in', '  standin: { user: root }\n', 'emperor.standin.user', "runs as the vassal's own user"],
    ['numeric unix mode', '  sockets: { s: { address: "unix:s.sock", mode: 660 } }\n', 'emperor.sockets.s.mode', 'quote it'],
    ['duplicate socket address', '  sockets: { a: ":8080", b: "0.0.0.0:8080" }\n', 'emperor.sockets.b', 'the same one as socket `a`'],
    ['sockets not a mapping', '  sockets: [":80"]\n', 'emperor.sockets', 'expected a mapping of socket names to addresses'],
    ['standin not a mapping', '  standin: yes\n', 'emperor.standin', 'expected a mapping of overrides'],
    ['bad restart', '  restart: sometimes\n', 'emperor.restart', 'expected one of always, on-failure, never, got `sometimes` (string)'],
    ['negative restart-burst', '  restart-burst: -1\n', 'emperor.restart-burst', 'expected a whole number of respawns that happen at once'],
    ['zero restart-window', '  restart-window: 0\n', 'emperor.restart-window', 'expected a duration greater than zero'],
    ['bad max-restarts', '  max-restarts: 2.5\n', 'emperor.max-restarts', 'expected a whole number of respawns before giving up, like 10, or unlimited'],
    ['unknown socket key', '  sockets: { s: { address: ":80", mdoe: "0600" } }\n', 'emperor.sockets.s.mdoe', 'unknown key; did you mean mode?'],
    ['missing program', '  command: [no-such-program-here]\n', 'emperor.command', 'command not found: no-such-program-here (not executable in cwd'],
  ];
  test.each(cases)('%s', async (_title, extra, key, message) => {
    const problem = await onlyProblem(extra);
    expect(problem.key).toBe(key);
    expect(problem.message).toContain(message);
  });

  test('a bad command element names its index', async () => {
    const file = await vassals.write('c.yml', 'emperor:\n  command: [node, { a: 1 }]\n');
    expect((await loadProblems(file)).errors).toEqual([{ file, key: 'emperor.command[1]', message: 'expected an argument (a string), got a mapping' }]);
  });

  test('an empty command is rejected', async () => {
    const file = await vassals.write('c.yml', 'emperor:\n  command: []\n');
    expect((await loadProblems(file)).errors).toEqual([{ file, key: 'emperor.command', message: expect.stringContaining('got an empty list') }]);
  });

  test('all problems of a file are reported together', async () => {
    const file = await vassals.write('many.yml', 'emperor:\n  command: [sh]\n  stop-timeout: x\n  ready-timeout: y\n  stop-signal: z\n');
    expect((await loadProblems(file)).errors.map((p) => p.key)).toEqual(['emperor.stop-signal', 'emperor.stop-timeout', 'emperor.ready-timeout']);
  });

  test('the restart keys are read into the restart policy', async () => {
    const file = await vassals.write('r.yml', 'emperor:\n  command: [sh]\n  restart: never\n  restart-burst: 0\n  restart-window: 10s\n  max-restarts: 3\n');
    expect((await loadSpec(file)).restart).toEqual({ restart: 'never', burst: 0, windowMs: 10_000, maxRestarts: 3 });
  });

  test('every problem of a file is reported at once: keys, the program and the working directory', async () => {
    const file = await vassals.write('all.yml', 'emperor:\n  command: [./missing.sh]\n  stop-timout: 1s\n  ready: "log: ("\n  standin: { cwd: gone }\n');
    expect((await loadProblems(file)).errors.map((p) => p.key)).toEqual(['emperor.stop-timout', 'emperor.ready', 'emperor.command', 'emperor.standin.cwd']);
  });

  test('a program found in the vassal\'s own PATH is found', async () => {
    await vassals.write('bin/tool', '#!/bin/sh\n');
    await chmod(path.join(vassals.dir, 'bin/tool'), 0o755);
    const file = await vassals.write('p.yml', `emperor:\n  command: [tool]\n  env: { PATH: ${JSON.stringify(path.join(vassals.dir, 'bin'))} }\n`);
    expect((await loadSpec(file)).process.command).toEqual({ kind: 'argv', argv: ['tool'] });
  });

  test('a uWSGI vassal whose wrapper is missing cannot run', async () => {
    const file = await vassals.write('u.ini', '[uwsgi]\nhttp-socket = fd://3\n');
    const result = await loadVassalFile(file, { vassalWrapper: '/nonexistent/uwsgi' });
    expect(result.ok ? [] : result.errors).toEqual([{ file, key: '', message: expect.stringContaining('cannot run this uWSGI vassal: command not found: /nonexistent/uwsgi') }]);
  });

  test('a cwd that does not exist is a problem on emperor.cwd', async () => {
    const problem = await onlyProblem('  cwd: /nonexistent/emperor-test-dir\n');
    expect(problem).toMatchObject({ key: 'emperor.cwd', message: expect.stringContaining('/nonexistent/emperor-test-dir, which does not exist') });
  });

  test('a cwd that is a file is a problem on emperor.cwd', async () => {
    await vassals.write('plain-file', 'x');
    const problem = await onlyProblem('  cwd: plain-file\n');
    expect(problem).toMatchObject({ key: 'emperor.cwd', message: expect.stringContaining('which is not one') });
  });

  test('a stand-in cwd that does not exist is a problem on emperor.standin.cwd', async () => {
    const problem = await onlyProblem('  standin: { cwd: missing-dir }\n');
    expect(problem).toMatchObject({ key: 'emperor.standin.cwd', message: expect.stringContaining(path.join(vassals.dir, 'missing-dir')) });
  });

  test('a unix socket path that is too long is rejected', async () => {
    const problem = await onlyProblem(`  sockets: { s: "unix:/${'x'.repeat(120)}.sock" }\n`);
    expect(problem).toMatchObject({ key: 'emperor.sockets.s', message: expect.stringContaining('at most 107 bytes') });
  });
});

describe('the shape of the document', () => {
  test('a file with neither emperor.command nor a uwsgi section is an error', async () => {
    const file = await vassals.write('none.yml', 'emperor:\n  env: { A: b }\n');
    expect((await loadProblems(file)).errors).toEqual([
      { file, key: 'emperor.command', message: 'missing: a vassal needs `emperor.command` (or a `uwsgi` section)' },
    ]);
  });

  test('a top level that is a list is an error', async () => {
    const file = await vassals.write('list.yml', '- a\n- b\n');
    expect((await loadProblems(file)).errors).toEqual([{ file, key: '', message: expect.stringContaining('expected a mapping at the top level') }]);
  });

  test('a top level that is a scalar is an error', async () => {
    const file = await vassals.write('scalar.json', '42');
    expect((await loadProblems(file)).errors).toEqual([{ file, key: '', message: expect.stringContaining('got `42` (number)') }]);
  });

  test('a file of only comments is an error', async () => {
    const file = await vassals.write('c.yml', '# nothing here\n');
    expect((await loadProblems(file)).errors).toEqual([{ file, key: '', message: expect.stringContaining('the file holds no settings') }]);
  });

  test('an emperor section that is not a mapping is an error', async () => {
    const file = await vassals.write('e.yml', 'emperor: true\n');
    expect((await loadProblems(file)).errors).toEqual([{ file, key: 'emperor', message: expect.stringContaining('got `true` (boolean)') }]);
  });

  test('invalid YAML names the line', async () => {
    const file = await vassals.write('y.yml', 'emperor:\n  command: [x\n');
    expect((await loadProblems(file)).errors).toEqual([{ file, key: '', message: expect.stringMatching(/^not valid YAML: .* at line \d+, column \d+$/) }]);
  });

  test('invalid JSON is an error', async () => {
    const file = await vassals.write('j.json', '{"emperor": ');
    expect((await loadProblems(file)).errors).toEqual([{ file, key: '', message: expect.stringContaining('not valid JSON') }]);
  });

  test('an unknown key in the emperor section is an error that suggests the closest known key', async () => {
    const file = await vassals.write('u.yml', 'emperor:\n  command: [sh]\n  stop-timout: 5s\n');
    const { errors } = await loadProblems(file);
    expect(errors.map(formatProblem)).toEqual([`${file}: emperor.stop-timout: unknown key; did you mean stop-timeout?`]);
  });

  test('an unknown key far from every known one lists the known keys', async () => {
    const file = await vassals.write('u.yml', 'emperor:\n  command: [sh]\n  colour: blue\n');
    const { errors } = await loadProblems(file);
    expect(errors.map(formatProblem)).toEqual([
      `${file}: emperor.colour: unknown key; known keys: command, cwd, env, stop-signal, stop-timeout, ready, ready-timeout, logto, log-max-size, log-backups, log-format, heartbeat-timeout, umask, limits, merge-stderr, user, group, reload, sockets, standin, warm-standin, restart, restart-burst, restart-window, max-restarts, after, dirs, singleton`,
    ]);
  });

  test('a top-level command says it belongs in the emperor section, and is the only error', async () => {
    const file = await vassals.write('t.yml', 'command: [node, app.js]\n');
    const { errors } = await loadProblems(file);
    expect(errors).toEqual([{ file, key: 'command', message: expect.stringContaining('belongs in the emperor section, as emperor.command') }]);
  });

  test('keys of other sections are their programs\' business', async () => {
    const file = await vassals.write('g.yml', 'emperor:\n  command: [sh]\ngalaxy:\n  colour: blue\nuwsgi:\n  stop-timout: 5\nenv:\n  A: b\n');
    expect((await loadSpec(file)).warnings).toEqual([]);
  });

  test('log settings without logto are ignored with a warning', async () => {
    const file = await vassals.write('l.yml', 'emperor:\n  command: [sh]\n  log-max-size: 10MB\n');
    const spec = await loadSpec(file);
    expect(spec.process.log).toBeUndefined();
    expect(spec.warnings).toEqual([`${file}: emperor.log-max-size: applies to a \`logto\` file, and there is none (ignored)`]);
  });

  test('sizes are powers of 1024, KB and KiB alike; the stand-in inherits the log settings and may override them', async () => {
    const file = await vassals.write('s.yml', 'emperor:\n  command: [sh]\n  logto: a.log\n  log-max-size: 1.5MB\n  log-backups: 2\n  standin:\n    logto: standin.log\n    log-format: json\n');
    const spec = await loadSpec(file);
    expect(spec.process.log).toEqual({ path: `${vassals.dir}/a.log`, maxBytes: 1.5 * 1024 * 1024, backups: 2, format: 'timestamped' });
    expect(spec.standin?.log).toEqual({ path: `${vassals.dir}/standin.log`, maxBytes: 1.5 * 1024 * 1024, backups: 2, format: 'json' });
    for (const [written, bytes] of [['200KB', 200 * 1024], ['200KiB', 200 * 1024], ['200k', 200 * 1024], ['1GB', 1024 ** 3], ['4096', 4096]] as const) {
      const f = await vassals.write('z.yml', `emperor:\n  command: [sh]\n  logto: a.log\n  log-max-size: ${written}\n`);
      expect((await loadSpec(f)).process.log?.maxBytes).toBe(bytes);
    }
  });

  test('heartbeat-timeout on a native vassal is ignored with a warning', async () => {
    const file = await vassals.write('h.yml', 'emperor:\n  command: [sh]\n  heartbeat-timeout: 30s\n');
    const spec = await loadSpec(file);
    expect(spec.process.heartbeatTimeoutMs).toBeUndefined();
    expect(spec.warnings).toEqual([`${file}: emperor.heartbeat-timeout: only uWSGI vassals send heartbeats (ignored)`]);
  });

  test('warnings are kept on a failed load', async () => {
    const file = await vassals.write('w.yml', 'emperor:\n  command: [sh]\n  heartbeat-timeout: 30s\n  stop-timeout: never\n');
    const { warnings } = await loadProblems(file);
    expect(warnings).toEqual([expect.stringContaining('emperor.heartbeat-timeout: only uWSGI vassals send heartbeats')]);
  });
});
