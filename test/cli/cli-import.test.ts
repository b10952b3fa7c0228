// `emperor import`: what it writes, what it refuses, and that it says everything it did not map.
import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../control/helpers/temp-dir.js';
import { seedSupervisordConfig } from '../import/helpers/seed.js';
import { ensureBuilt, runCli } from './helpers/run-cli.js';

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name).slice(dir.length + 1)] = readFileSync(join(e.parentPath, e.name), 'utf8');
  }
  return out;
}

describe('emperor import', () => {
  let dir: { path: string; remove(): Promise<void> };
  let out: string;
  beforeEach(async () => {
    ensureBuilt();
    dir = await tempDir();
    out = join(dir.path, 'vassals');
    mkdirSync(out);
  });
  afterEach(async () => {
    await dir.remove();
  });

  test('the seed imports: one file per process, numprocs expanded, autostart=false under disabled/', async () => {
    const conf = join(dir.path, 'galaxy.conf');
    writeFileSync(conf, seedSupervisordConfig());
    const r = await runCli(['import', 'supervisord', conf, '--out', out], { PATH: '/usr/bin:/bin' });
    expect(r.code).toBe(0);
    expect(Object.keys(tree(out)).sort()).toEqual(['disabled/zergling1.yml', 'handler0.yml', 'handler1.yml', 'zergling0.yml', 'zergpool.yml']);
    const handler1 = readFileSync(join(out, 'handler1.yml'), 'utf8');
    expect(handler1).toContain(`# Imported by \`emperor import supervisord\` from ${conf} [program:handler], process_num 1.`);
    expect(handler1).toContain('    - "--server-name=handler1"\n');
    expect(handler1).toContain('    PATH: /srv/galaxy/venv/bin:/usr/bin:/bin\n');
    expect(handler1).toContain('  restart: always\n');
    expect(handler1).toContain('  after:\n    - zergpool\n');
    expect(readFileSync(join(out, 'zergling0.yml'), 'utf8')).toContain('  restart: on-failure\n  after:');
    // The group is noted, in the files and aloud.
    expect(handler1).toContain('supervisord group gx');
    expect(r.stderr).toContain(`${conf}:50: [group:gx] (zergpool, zergling0, zergling1, handler)`);
  });

  test('--dry-run prints the files and writes nothing; a second run gives the same bytes', async () => {
    const conf = join(dir.path, 'galaxy.conf');
    writeFileSync(conf, seedSupervisordConfig());
    const dry = await runCli(['import', 'supervisord', conf, '--out', out, '--dry-run'], { PATH: '/usr/bin:/bin' });
    expect(dry.code).toBe(0);
    expect(readdirSync(out)).toEqual([]);
    expect(dry.stdout).toContain(`# ---- ${join(out, 'handler0.yml')} ----\n# Imported by`);
    await runCli(['import', 'supervisord', conf, '--out', out], { PATH: '/usr/bin:/bin' });
    const first = tree(out);
    const again = await runCli(['import', 'supervisord', conf, '--out', out, '--force'], { PATH: '/usr/bin:/bin' });
    expect(again.code).toBe(0);
    expect(tree(out)).toEqual(first);
    // The dry run printed exactly what was then written.
    expect(dry.stdout).toContain(first['handler0.yml']?.trimEnd());
  });

  test('an existing file is not overwritten without --force, and then nothing at all is written', async () => {
    const conf = join(dir.path, 'progs.conf');
    writeFileSync(conf, '[program:a]\ncommand = /bin/sleep 1000\n[program:b]\ncommand = /bin/sleep 1000\n');
    writeFileSync(join(out, 'b.yml'), 'mine\n');
    const r = await runCli(['import', 'supervisord', conf, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(out, 'b.yml')}: exists; not overwritten (use --force to replace it)`);
    expect(tree(out)).toEqual({ 'b.yml': 'mine\n' });
    writeFileSync(join(out, 'a.ini'), '[emperor]\ncommand = x\n');
    const clash = await runCli(['import', 'supervisord', conf, '--out', out, '--force']);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain(`vassal a already exists as ${join(out, 'a.ini')}`);
  });

  // One or two CLI calls a test: each costs seconds on a loaded machine.
  test('invalid input: file:line: problem, exit 1, nothing written', async () => {
    const conf = join(dir.path, 'bad.conf');
    writeFileSync(conf, '[program:a]\ncommand = /bin/true\nthis is not an option\n');
    const r = await runCli(['import', 'supervisord', conf, '--out', out]);
    expect(r).toMatchObject({ code: 1 });
    expect(r.stderr).toContain(`${conf}:3: expected \`key = value\`, a [section] header or a comment, got "this is not an option"`);
    expect(readdirSync(out)).toEqual([]);
  });

  test('supervisord values supervisord would refuse are file:line too', async () => {
    const conf = join(dir.path, 'bad.conf');
    writeFileSync(conf, '[program:a]\ncommand = /bin/true\nnumprocs = 2\n');
    const names = await runCli(['import', 'supervisord', conf, '--out', out]);
    expect(names.stderr).toContain(`${conf}:1: [program:a] process_name: must contain %(process_num)s when numprocs > 1`);
    writeFileSync(conf, '[program:a]\ncommand = run %(ENV_NO_SUCH_VARIABLE)s\n');
    const expansion = await runCli(['import', 'supervisord', conf, '--out', out]);
    expect(expansion.stderr).toContain(`${conf}:2: [program:a] command: \`%(ENV_NO_SUCH_VARIABLE)s\` names nothing that can be expanded`);
    expect(readdirSync(out)).toEqual([]);
  });

  test('a PM2 ecosystem file that is not JavaScript is file:line', async () => {
    const js = join(dir.path, 'ecosystem.config.js');
    writeFileSync(js, 'module.exports = {\n  apps: [\n    { name: "a", script: "a.js" ,, }\n  ]\n};\n');
    const pm2 = await runCli(['import', 'pm2', js, '--out', out]);
    expect(pm2.code).toBe(1);
    expect(pm2.stderr).toMatch(new RegExp(`^${js}:3: not valid JavaScript: `, 'm'));
    expect(readdirSync(out)).toEqual([]);
  });

  test('a Gravity bind on a host name is file:line', async () => {
    const yml = join(dir.path, 'galaxy.yml');
    writeFileSync(yml, `gravity:\n  galaxy_root: ${dir.path}\n  gunicorn:\n    bind: galaxy.example.org:8080\ngalaxy:\n  brand: test\n`);
    const gravity = await runCli(['import', 'gravity', yml, '--out', out]);
    expect(gravity.code).toBe(1);
    expect(gravity.stderr).toContain(`${yml}:4: gravity.gunicorn.bind: the emperor binds IP addresses, not host names`);
    expect(readdirSync(out)).toEqual([]);
  });

  test('every key without an equivalent is listed in the file and in a warning; includes are followed', async () => {
    mkdirSync(join(dir.path, 'conf.d'));
    writeFileSync(join(dir.path, 'supervisord.conf'), '[supervisord]\nlogfile = /var/log/supervisord.log\n\n[include]\nfiles = conf.d/*.conf\n');
    writeFileSync(join(dir.path, 'conf.d', 'web.conf'), [
      '[program:web]',
      'command = /usr/bin/env python3 -m http.server 8000 ; a comment',
      'directory = %(here)s',
      'stdout_logfile = %(here)s/web.log',
      'stdout_logfile_maxbytes = 1MB',
      'stdout_events_enabled = true',
      'stderr_logfile = /tmp/web.err',
      'exitcodes = 0,2',
      'startretries = 7',
      'frobnicate = yes',
      '',
    ].join('\n'));
    const r = await runCli(['import', 'supervisord', join(dir.path, 'supervisord.conf'), '--out', out]);
    expect(r.code).toBe(0);
    const web = readFileSync(join(out, 'web.yml'), 'utf8');
    for (const key of ['stdout_events_enabled = true (web.conf:6)', 'stderr_logfile = /tmp/web.err (web.conf:7)', 'frobnicate = yes (web.conf:10): not a supervisord key']) {
      expect(web).toContain(key);
      expect(r.stderr).toContain(`web: not mapped: ${key}`);
    }
    expect(web).toContain('exitcodes = 0,2: the emperor counts exit 0 alone as expected');
    expect(web).toContain(`  cwd: ${join(dir.path, 'conf.d')}\n`);
    expect(web).toContain(`  logto: ${join(dir.path, 'conf.d', 'web.log')}\n  log-max-size: 1MB\n  log-backups: 10\n`);
    expect(web).toContain('  max-restarts: 7\n');
    expect(web).toContain('    - http.server\n    - "8000"\n');
    expect(r.stderr).toContain('[supervisord] not imported (logfile)');
    // What was written passes `emperor check`.
    const check = await runCli(['check', out]);
    expect(check.stdout).toContain(`${join(out, 'web.yml')}: ok`);
    expect(check.code).toBe(0);
  });

  test('--help teaches: the three sources, what is refused, examples', async () => {
    const r = await runCli(['import', '--help']);
    expect(r.code).toBe(0);
    for (const word of ['supervisord', 'gravity', 'pm2', '--dry-run', '--force', 'nothing is dropped silently', 'Examples:']) expect(r.stdout).toContain(word);
  });

  test('an unknown source is a usage error that names the sources', async () => {
    const r = await runCli(['import', 'systemd', 'x.service']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown source 'systemd'; expected one of supervisord, gravity, pm2");
  });
});
