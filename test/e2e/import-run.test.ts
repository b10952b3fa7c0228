// `emperor import` end to end: the seed's supervisord config, a Gravity config with a handler
// pool and celery settings, and a PM2 ecosystem file with two apps and env_production are
// imported, an emperor runs the result with stand-in programs, and each process reports how it
// was started (argv, cwd, environment, user when root).
import { describe, test, expect, afterEach } from '@jest/globals';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { emperorPool, FIXTURES } from '../helpers/emperor.js';
import type { Emperor } from '../helpers/emperor.js';
import { waitFor } from '../helpers/wait-for.js';
import { ensureBuilt, runCli } from '../cli/helpers/run-cli.js';
import { seedSupervisordConfig } from '../import/helpers/seed.js';

const pool = emperorPool();
afterEach(async () => {
  expect(await pool.cleanupAll()).toEqual([]);
});

const isRoot = process.getuid?.() === 0;
// Root runs the processes as nobody (the user keys are mapped); anyone else only as themselves.
const runUser = isRoot ? 'nobody' : userInfo().username;
const runUid = isRoot ? Number(readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'))?.split(':')[2]) : process.getuid?.();

interface Report {
  program: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  uid: number;
  umask: number;
  fd3: boolean;
}

// A world the instances (maybe nobody) can read: stand-in programs under <dir>/bin, reports in <dir>/reports
function standins(em: Emperor, programs: readonly string[], binDir: string): string {
  chmodSync(em.dir, 0o755);
  const reports = join(em.dir, 'reports');
  mkdirSync(reports, { mode: 0o777, recursive: true });
  chmodSync(reports, 0o777);
  mkdirSync(binDir, { recursive: true });
  const script = join(em.dir, 'report.mjs');
  copyFileSync(join(FIXTURES, 'import', 'report.mjs'), script);
  chmodSync(script, 0o644);
  for (const p of programs) {
    writeFileSync(join(binDir, p), `#!/bin/sh\nREPORT_PROGRAM="$0" REPORT_DIR=${reports} exec ${process.execPath} ${script} "$@"\n`, { mode: 0o755 });
  }
  return reports;
}

function report(dir: string, vassal: string, role = 'main'): Promise<Report> {
  const file = join(dir, `${vassal}.${role}.json`);
  return waitFor(() => existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as Report), { message: `${vassal} (${role}) reported`, timeout: 20_000 });
}

describe('emperor import, then the emperor runs the result', () => {
  test('the seed: supervisord zerg-mode galaxy.conf (uwsgi zergpool, zerglings, numprocs handlers)', async () => {
    ensureBuilt();
    const em = pool.fresh();
    const root = join(em.dir, 'srv');
    for (const d of ['server', 'config', 'log', 'var']) mkdirSync(join(root, d), { recursive: true });
    const reports = standins(em, ['uwsgi', 'python'], join(root, 'venv', 'bin'));
    // The seed verbatim, but for where it lives and whom it runs as.
    const conf = join(em.dir, 'galaxy.conf');
    writeFileSync(conf, seedSupervisordConfig().replaceAll('/srv/galaxy', root).replace(/^user\s*=\s*galaxy$/gm, `user = ${runUser}`));
    const imported = await runCli(['import', 'supervisord', conf, '--out', em.vassals]);
    expect(imported.stderr).not.toMatch(/^emperor:/m);
    expect(imported.code).toBe(0);
    expect(existsSync(join(em.vassals, 'disabled', 'zergling1.yml'))).toBe(true);

    await em.start();
    const handler1 = await report(reports, 'handler1');
    expect(handler1.program).toBe(join(root, 'venv', 'bin', 'python'));
    expect(handler1.argv).toEqual(['./scripts/galaxy-main', '-c', `${root}/config/galaxy.ini`, '--server-name=handler1', '--log-file', `${root}/log/handler1.log`]);
    expect(handler1.cwd).toBe(join(root, 'server'));
    expect(handler1.env.VIRTUAL_ENV).toBe(`${root}/venv`);
    // %(ENV_PATH)s is the PATH `emperor import` ran with.
    expect(handler1.env.PATH).toBe(`${root}/venv/bin:${process.env.PATH ?? ''}`);
    expect(handler1.uid).toBe(runUid);
    expect(handler1.umask).toBe(0o022);
    expect((await report(reports, 'handler0')).argv).toContain('--server-name=handler0');
    const zergpool = await report(reports, 'zergpool');
    expect(zergpool.argv).toEqual(['--plugin', 'zergpool', '--master', '--zerg-pool', `${root}/var/zergpool.sock:127.0.0.1:4001`, '--logto', `${root}/log/zergpool.log`]);
    expect(zergpool.env.HOME).toBe(root);
    const zergling0 = await report(reports, 'zergling0');
    expect(zergling0.env.DRMAA_LIBRARY_PATH).toBe('/usr/lib/slurm-drmaa/lib/libdrmaa.so.1');
    expect(zergling0.argv).toContain('127.0.0.1:9190');
    // autostart = false: written, but not run.
    expect(existsSync(join(reports, 'zergling1.main.json'))).toBe(false);
    expect((await em.api<{ vassals: { name: string }[] }>('/vassals')).body.vassals.map((v) => v.name).sort()).toEqual(['handler0', 'handler1', 'zergling0', 'zergpool']);
  }, 60_000);

  test('Gravity: gunicorn on a held socket with a dance, celery, beat and a handler pool', async () => {
    ensureBuilt();
    const em = pool.fresh();
    const galaxy = join(em.dir, 'galaxy');
    mkdirSync(join(galaxy, 'lib', 'galaxy'), { recursive: true });
    mkdirSync(join(galaxy, 'config'), { recursive: true });
    const logs = join(em.dir, 'logs');
    mkdirSync(logs, { mode: 0o777 });
    chmodSync(logs, 0o777);
    const reports = standins(em, ['gunicorn', 'celery', 'python'], join(em.dir, 'venv', 'bin'));
    const config = join(galaxy, 'config', 'galaxy.yml');
    writeFileSync(config, [
      'gravity:',
      `  virtualenv: ${join(em.dir, 'venv')}`,
      `  log_dir: ${logs}`,
      ...(isRoot ? ['  galaxy_user: nobody'] : []),
      '  gunicorn:',
      '    bind: 127.0.0.1:0',
      '    workers: 2',
      '    start_timeout: 1',
      '  celery:',
      '    concurrency: 3',
      '    loglevel: INFO',
      '    queues: celery,galaxy.internal',
      '    start_timeout: 1',
      '  handlers:',
      '    handler:',
      '      processes: 2',
      '      start_timeout: 1',
      '      pools: [job-handlers, workflow-schedulers]',
      '      environment: { HANDLER_FLAG: "{settings[server_name]}" }',
      'galaxy:',
      '  job_config:',
      '    handling:',
      '      assign: [db-skip-locked]',
      '',
    ].join('\n'));
    const imported = await runCli(['import', 'gravity', config, '--vassals', em.vassals]);
    expect(imported.code).toBe(0);
    expect(imported.stdout.split('\n').filter(Boolean).sort()).toEqual(['celery-beat', 'celery', 'gunicorn', 'handler_0', 'handler_1'].map((n) => `wrote ${join(em.vassals, `${n}.yml`)}`).sort());

    await em.start();
    const web = await report(reports, 'gunicorn');
    expect(web.argv).toEqual(['galaxy.webapps.galaxy.fast_factory:factory()', '--timeout', '300', '--pythonpath', 'lib', '-k', 'galaxy.webapps.galaxy.workers.Worker', '--bind', 'fd://3', '--workers=2', '--config', 'python:galaxy.web_stack.gunicorn_config', '--preload']);
    expect(web.fd3).toBe(true);
    expect(web.env).toMatchObject({ LISTEN_FDS: '1', PYTHONPATH: 'lib', GALAXY_CONFIG_FILE: config, VIRTUAL_ENV: join(em.dir, 'venv') });
    expect(web.cwd).toBe(galaxy);
    expect(web.uid).toBe(runUid);
    const celery = await report(reports, 'celery');
    expect(celery.argv).toEqual(['--app', 'galaxy.celery', 'worker', '--concurrency', '3', '--loglevel', 'INFO', '--pool', 'threads', '--queues', 'celery,galaxy.internal']);
    const beat = await report(reports, 'celery-beat');
    expect(beat.argv).toEqual(['--app', 'galaxy.celery', 'beat', '--loglevel', 'INFO', '--schedule', join(galaxy, 'database', 'gravity', 'celerybeat-schedule')]);
    for (const n of [0, 1]) {
      const h = await report(reports, `handler_${n}`);
      expect(h.argv).toEqual(['./scripts/galaxy-main', '-c', config, `--server-name=handler_${n}`, '--attach-to-pool=job-handlers', '--attach-to-pool=workflow-schedulers']);
      expect(h.env.HANDLER_FLAG).toBe(`handler_${n}`);
    }

    // The web server's restart dance: its stand-in serves from the same held socket with job handling off.
    await em.waitRunning('gunicorn');
    const dance = await runCli(['restart-dance', 'gunicorn', '--run-dir', em.runDir], {}, 40_000);
    expect(dance.code).toBe(0);
    const standin = await report(reports, 'gunicorn', 'standin');
    expect(standin.fd3).toBe(true);
    expect(standin.env.JOB_HANDLERS).toBe('0');
  }, 90_000);

  test('PM2: two apps, instances, env_production merged with --env production', async () => {
    ensureBuilt();
    const em = pool.fresh();
    const app = join(em.dir, 'app');
    mkdirSync(app);
    const reports = standins(em, [], join(em.dir, 'bin'));
    copyFileSync(join(em.dir, 'report.mjs'), join(app, 'server.mjs'));
    writeFileSync(join(app, 'worker.sh'), `REPORT_DIR=${reports} exec ${process.execPath} ${join(em.dir, 'report.mjs')} "$@"\n`);
    chmodSync(app, 0o755);
    const ecosystem = join(app, 'ecosystem.config.js');
    writeFileSync(ecosystem, `module.exports = {
  apps: [
    {
      name: 'api',
      script: './server.mjs',
      args: '--port 0 --name "the api"',
      instances: 2,
      env: { NODE_ENV: 'development', SHARED: 'base', REPORT_DIR: ${JSON.stringify(reports)} },
      env_production: { NODE_ENV: 'production' },
      kill_timeout: 3000,
      ${isRoot ? "uid: 'nobody'," : ''}
    },
    {
      name: 'worker',
      script: 'worker.sh',
      args: ['--queue', 'default'],
      env_production: { WORKER_MODE: 'prod' },
    },
  ],
};
`);
    const imported = await runCli(['import', 'pm2', ecosystem, '--env', 'production', '--out', em.vassals]);
    expect(imported.code).toBe(0);
    await em.start();
    for (const i of [0, 1]) {
      const api = await report(reports, `api-${i}`);
      expect(api.argv).toEqual(['--port', '0', '--name', 'the api']);
      expect(api.cwd).toBe(app);
      expect(api.env).toMatchObject({ NODE_ENV: 'production', SHARED: 'base', NODE_APP_INSTANCE: String(i) });
      expect(api.uid).toBe(isRoot ? runUid : process.getuid?.());
    }
    const worker = await report(reports, 'worker');
    expect(worker.argv).toEqual(['--queue', 'default']);
    expect(worker.env.WORKER_MODE).toBe('prod');
  }, 60_000);
});
