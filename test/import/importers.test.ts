// The importers called directly: the Gravity and PM2 cases the end-to-end run does not cover.
import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importGravity } from '../../src/import/gravity/import-gravity.js';
import type { ImportResult, ImportedVassal } from '../../src/import/imported-vassal.js';
import { importPm2 } from '../../src/import/pm2/import-pm2.js';
import { importSupervisord } from '../../src/import/supervisord/import-supervisord.js';
import { tempDir } from '../control/helpers/temp-dir.js';

function vassals(r: ImportResult): Map<string, ImportedVassal> {
  if (!r.ok) throw new Error(r.problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n'));
  return new Map(r.vassals.map((v) => [v.name, v]));
}

describe('importers', () => {
  let dir: { path: string; remove(): Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await dir.remove();
  });

  test("Gravity with no gravity: section gets Gravity's defaults, and says which", async () => {
    mkdirSync(join(dir.path, 'lib', 'galaxy'), { recursive: true });
    mkdirSync(join(dir.path, 'config'));
    const file = join(dir.path, 'config', 'galaxy.yml');
    writeFileSync(file, 'galaxy:\n  brand: mine\n');
    const v = vassals(await importGravity([file], { env: { PATH: '/usr/bin' } }));
    expect([...v.keys()]).toEqual(['gunicorn', 'celery', 'celery-beat']);
    const web = v.get('gunicorn');
    expect(web?.emperor).toMatchObject({ cwd: dir.path, sockets: { http: '127.0.0.1:8080' }, reload: 'dance', 'stop-timeout': '65s', ready: 'delay: 15s' });
    expect(web?.notes.join('\n')).toContain("Gravity's defaults applied (gravity.gunicorn): enable = true, bind = localhost:8080, timeout = 300, workers = 1, preload = true");
    expect(web?.notes.join('\n')).toContain('no job handlers are configured');
    expect(v.get('celery')?.emperor.command).toEqual(['celery', '--app', 'galaxy.celery', 'worker', '--concurrency', '2', '--loglevel', 'DEBUG', '--pool', 'threads', '--queues', 'celery,galaxy.internal,galaxy.external']);
  });

  test('Gravity: a separate Gravity file, static handlers from job_conf.xml, unix bind, tusd, reports', async () => {
    mkdirSync(join(dir.path, 'lib', 'galaxy'), { recursive: true });
    mkdirSync(join(dir.path, 'config'));
    writeFileSync(join(dir.path, 'config', 'galaxy.yml'), 'galaxy:\n  galaxy_infrastructure_url: https://galaxy.example.org/\n');
    writeFileSync(join(dir.path, 'config', 'reports.yml'), 'reports: {}\n');
    writeFileSync(join(dir.path, 'config', 'job_conf.xml'), '<job_conf>\n  <handlers assign_with="db-skip-locked">\n    <handler id="main_h0"/>\n    <handler id="main_h1" />\n  </handlers>\n</job_conf>\n');
    const gravity = join(dir.path, 'config', 'gravity.yml');
    writeFileSync(gravity, [
      'gravity:',
      '  galaxy_config_file: galaxy.yml',
      '  gunicorn: { bind: "unix:/run/galaxy/gunicorn.sock" }',
      '  celery: { enable: false, enable_beat: false }',
      '  tusd: { enable: true, upload_dir: /data/tus }',
      '  reports: { enable: true, bind: "127.0.0.1:9001" }',
      '  process_manager: systemd',
      '',
    ].join('\n'));
    const r = await importGravity([gravity], { env: {} });
    const v = vassals(r);
    expect([...v.keys()].sort()).toEqual(['gunicorn', 'main_h0', 'main_h1', 'reports', 'tusd']);
    const web = v.get('gunicorn');
    expect(web?.emperor.sockets).toEqual({ http: 'unix:/run/galaxy/gunicorn.sock' });
    expect(web?.emperor.command).not.toContain('--bind');
    expect(v.get('main_h0')?.emperor.command).toEqual(['python', './scripts/galaxy-main', '-c', join(dir.path, 'config', 'galaxy.yml'), '--server-name=main_h0']);
    expect(v.get('main_h0')?.emperor.reload).toBe('stop-start');
    expect(v.get('tusd')?.emperor.command).toContain('-hooks-http=https://galaxy.example.org/api/upload/hooks');
    expect(v.get('reports')?.emperor).toMatchObject({ reload: 'overlap', sockets: { http: '127.0.0.1:9001' }, env: { GALAXY_REPORTS_CONFIG: join(dir.path, 'config', 'reports.yml') } });
    expect(r.ok && r.warnings.join('\n')).toContain('gravity.process_manager = "systemd": not mapped: the emperor is the process manager');
  });

  test('Gravity: handlers whose name ends in a digit keep it; a template giving one name twice is an error', async () => {
    mkdirSync(join(dir.path, 'lib', 'galaxy'), { recursive: true });
    const file = join(dir.path, 'galaxy.yml');
    writeFileSync(file, `gravity:\n  galaxy_root: ${dir.path}\n  handlers:\n    sge0: {}\n    pool:\n      processes: 2\n      name_template: "{name}"\ngalaxy: {}\n`);
    const r = await importGravity([file], { env: {} });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0]).toEqual({ file, line: 7, message: 'gravity.handlers.pool.name_template: gives the name pool twice; every handler needs its own server name' });
    writeFileSync(file, `gravity:\n  galaxy_root: ${dir.path}\n  handlers:\n    sge0: {}\ngalaxy: {}\n`);
    const ok = await importGravity([file], { env: {} });
    expect(vassals(ok).has('sge0')).toBe(true);
    // No dynamic assignment in the job config: Gravity warns that dynamic handlers handle nothing, and so does the import.
    expect(ok.ok && ok.warnings.join('\n')).toContain('these handlers will handle no jobs');
  });

  test('PM2: cluster mode gives one vassal and a note; JSON apps; unknown keys listed', async () => {
    const file = join(dir.path, 'ecosystem.json');
    writeFileSync(file, JSON.stringify({ apps: [{ name: 'web', script: 'server.js', instances: 4, exec_mode: 'cluster', max_memory_restart: '300M', frobnicate: 1, autorestart: false }] }));
    const r = await importPm2([file], { env: {}, envName: undefined });
    const web = vassals(r).get('web');
    expect(web?.emperor).toMatchObject({ command: ['node', join(dir.path, 'server.js')], restart: 'never', 'stop-signal': 'SIGINT', 'stop-timeout': '1600ms' });
    expect(web?.approximate.join('\n')).toContain('exec_mode = cluster, instances = 4');
    expect(web?.unmapped).toEqual(['max_memory_restart = "300M": no restart on memory use; emperor.limits (as, rss) kill instead of restart', 'frobnicate = 1: not a PM2 app key (PM2 ignores it too)']);
  });

  test('PM2: a script that throws is file:line', async () => {
    const file = join(dir.path, 'ecosystem.config.js');
    writeFileSync(file, "const x = 1;\nthrow new Error('no config for you');\n");
    const r = await importPm2([file], { env: {}, envName: undefined });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0]).toEqual({ file, line: 2, message: 'running it failed: no config for you' });
  });

  test('supervisord: [supervisord] environment reaches every program, numprocs_start and widths name the files', async () => {
    const file = join(dir.path, 'supervisord.conf');
    writeFileSync(file, '[supervisord]\nenvironment = SHARED="yes",LANG=C\n\n[program:worker]\ncommand = /bin/sleep %(process_num)d\nprocess_name = %(program_name)s_%(process_num)02d\nnumprocs = 2\nnumprocs_start = 9\nenvironment = LANG="en_US.UTF-8"\nstopsignal = 15\n');
    const v = vassals(await importSupervisord([file], { env: {} }));
    expect([...v.keys()]).toEqual(['worker_09', 'worker_10']);
    expect(v.get('worker_10')?.emperor).toMatchObject({ command: ['/bin/sleep', '10'], env: { SHARED: 'yes', LANG: 'en_US.UTF-8' }, 'stop-signal': 'SIGTERM', restart: 'on-failure' });
  });

  test('supervisord: redirect_stderr = true becomes merge-stderr, with or without a log file of its own', async () => {
    const file = join(dir.path, 'redirect.conf');
    writeFileSync(file, `[program:web]\ncommand = /bin/sleep 1\nredirect_stderr = true\nstdout_logfile = ${dir.path}/web.log\n\n[program:quiet]\ncommand = /bin/sleep 2\nredirect_stderr = yes\n\n[program:apart]\ncommand = /bin/sleep 3\n`);
    const v = vassals(await importSupervisord([file], { env: {} }));
    expect(v.get('web')?.emperor).toMatchObject({ logto: `${dir.path}/web.log`, 'merge-stderr': true });
    expect(v.get('quiet')?.emperor).toMatchObject({ 'merge-stderr': true });
    expect(v.get('apart')?.emperor).not.toHaveProperty('merge-stderr');
  });
});
