// `emperor import gravity galaxy.yml`: the processes Gravity would run for a Galaxy, one vassal
// each, with Gravity's defaults applied where the file is silent (and listed in each file).
import path from 'node:path';
import { collectImport } from '../imported-vassal.js';
import type { ImportedVassal, ImportResult } from '../imported-vassal.js';
import { readGravityConfig } from './gravity-config.js';
import type { GravityConfig } from './gravity-config.js';
import { handlerDrafts } from './handlers.js';
import { isMapping, SettingsReader } from './settings-reader.js';
import { CELERY_BEAT_DB, extraArgs, gunicornSocket, serviceEnv, toVassal } from './services.js';
import type { ServiceDraft } from './services.js';

export interface GravityOptions {
  /** PATH behind the virtualenv's bin, as Gravity writes it from its own environment. */
  readonly env: NodeJS.ProcessEnv;
}

// Top-level keys the importer reads or knowingly leaves to Gravity, and why
const LEFT_TO_GRAVITY: Readonly<Record<string, string>> = {
  process_manager: 'the emperor is the process manager',
  service_command_style: 'services are written as their direct commands (Gravity\'s `direct` style)',
  use_service_instances: 'each process is its own vassal',
  memory_limit: 'no cgroup memory limit in the emperor; emperor.limits sets per-process rlimits (as, rss) instead',
  memory_high: 'no cgroup memory throttling in the emperor',
  log_namespace: 'a systemd journal namespace; the emperor logs to stderr or logto',
  app_server: 'gunicorn is the only app server',
  instance_name: 'vassal names are the service names',
};

export function importGravity(files: readonly string[], opts: GravityOptions): Promise<ImportResult> {
  return collectImport(async () => {
    const vassals: ImportedVassal[] = [];
    const warnings: string[] = [];
    for (const file of files) {
      const config = await readGravityConfig(file, opts.env);
      const g = config.gravity;
      const umask = g.get<string>('umask', 'string', '022');
      const user = g.get<string | undefined>('galaxy_user', 'string', undefined);
      const group = g.get<string | undefined>('galaxy_group', 'string', undefined);
      g.get('instance_name', 'string', '_default_');
      const drafts = [
        ...gunicornDrafts(config, umask, opts.env),
        ...celeryDrafts(config, umask, opts.env),
        ...tusdDrafts(config, umask, opts.env),
        ...gxItProxyDrafts(config, umask, opts.env),
        ...reportsDrafts(config, umask, opts.env),
      ];
      const handlers = await handlerDrafts(config, umask, opts.env, warnings);
      drafts.push(...handlers);
      if (handlers.length === 0) {
        for (const d of drafts.filter((x) => x.name.startsWith('gunicorn'))) {
          d.notes.push('no job handlers are configured, so Galaxy runs jobs in these web processes (all-in-one): two instances at once, as in a dance, would both handle jobs unless the stand-in\'s JOB_HANDLERS=0 turns that off in your app, or handlers are configured (handlers: or the job config)');
        }
      }
      const commonNotes = [...config.notes];
      for (const [key, value] of g.leftover()) {
        if (['gunicorn', 'celery', 'tusd', 'gx_it_proxy', 'reports', 'handlers'].includes(key)) continue;
        const why = LEFT_TO_GRAVITY[key] ?? 'not a Gravity setting (Gravity ignores it too)';
        warnings.push(`${config.source.file}:${g.line(key)}: gravity.${key} = ${JSON.stringify(value)}: not mapped: ${why}`);
        commonNotes.push(`gravity.${key} = ${JSON.stringify(value)} not mapped: ${why}`);
      }
      for (const d of drafts) {
        const v = toVassal(config, d, user, group);
        vassals.push({ ...v, notes: [...v.notes, ...commonNotes] });
        for (const u of d.unmapped) warnings.push(`${d.name}: not mapped: ${u}`);
      }
    }
    return { vassals, warnings };
  });
}

function sub(config: GravityConfig, key: string): SettingsReader {
  const raw = config.gravity.get<unknown>(key, 'map', {});
  return new SettingsReader(isMapping(raw) ? raw : {}, ['gravity', key], config.source);
}

function venvBin(config: GravityConfig, program: string): string {
  return config.virtualenv === undefined ? program : path.join(config.virtualenv, 'bin', program);
}

const GALAXY_ENV = (config: GravityConfig): Record<string, string> => ({ PYTHONPATH: 'lib', GALAXY_CONFIG_FILE: config.galaxyConfigFile });

function formatVars(config: GravityConfig, settings: Record<string, unknown>, umask: string): Record<string, unknown> {
  return {
    galaxy_conf: config.galaxyConfigFile,
    galaxy_root: config.galaxyRoot,
    log_dir: config.logDir,
    gravity_data_dir: config.dataDir,
    virtualenv_bin: config.virtualenv === undefined ? '' : `${path.join(config.virtualenv, 'bin')}/`,
    galaxy_umask: umask,
    settings,
  };
}

// Keys every service has (umask, timeouts, memory, environment): read here, so none goes unlisted
function common(s: SettingsReader, where: string, start: number, stop: number, umask: string): { startTimeout: number; stopTimeout: number; umask: string; unmapped: string[] } {
  const unmapped: string[] = [];
  for (const key of ['memory_limit', 'memory_high']) {
    const v = s.get<number | undefined>(key, 'number', undefined);
    if (v !== undefined) unmapped.push(`${where}.${key} = ${v}: ${LEFT_TO_GRAVITY[key] ?? ''}`);
  }
  return {
    startTimeout: s.get('start_timeout', 'int', start),
    stopTimeout: s.get('stop_timeout', 'int', stop),
    umask: s.get<string | undefined>('umask', 'string', undefined) ?? umask,
    unmapped,
  };
}

// Settings a service's reader did not ask for: Gravity ignores them, the import lists them
function leftovers(s: SettingsReader, where: string): string[] {
  return s.leftover().filter(([k]) => k !== 'enable').map(([k, v]) => `${where}.${k} = ${JSON.stringify(v)}: not a Gravity setting of this service (Gravity ignores it too)`);
}

function gunicornDrafts(config: GravityConfig, umask: string, env: NodeJS.ProcessEnv): ServiceDraft[] {
  const raw = config.gravity.get<unknown>('gunicorn', 'any', {});
  const list = Array.isArray(raw) ? raw : [raw];
  return list.flatMap((item, i) => {
    const where = Array.isArray(raw) ? `gravity.gunicorn[${i}]` : 'gravity.gunicorn';
    const s = new SettingsReader(isMapping(item) ? item : {}, ['gravity', 'gunicorn'], config.source);
    if (!s.get('enable', 'bool', true)) return [];
    const name = Array.isArray(raw) ? `gunicorn${i}` : 'gunicorn';
    const bind = s.get('bind', 'string', 'localhost:8080');
    const timeout = s.get('timeout', 'int', 300);
    const workers = s.get('workers', 'int', 1);
    const preload = s.get<boolean>('preload', 'bool', true);
    const restartTimeout = s.get('restart_timeout', 'int', 300);
    const c = common(s, where, 15, 65, umask);
    const held = gunicornSocket(s, bind);
    const settings = { bind, timeout, workers, preload };
    const argv = [
      venvBin(config, 'gunicorn'), 'galaxy.webapps.galaxy.fast_factory:factory()', '--timeout', String(timeout), '--pythonpath', 'lib',
      '-k', 'galaxy.webapps.galaxy.workers.Worker', ...held.bindArgs, `--workers=${workers}`, '--config', 'python:galaxy.web_stack.gunicorn_config',
      ...(preload ? ['--preload'] : []), ...extraArgs(s),
    ];
    const extra: Record<string, unknown> = held.sockets ? { sockets: held.sockets, reload: 'dance', standin: { env: { JOB_HANDLERS: '0' } } } : {};
    return [{
      name,
      settings: s,
      where,
      argv,
      env: serviceEnv(config, s, GALAXY_ENV(config), formatVars(config, settings, c.umask), env.PATH),
      startTimeout: c.startTimeout,
      stopTimeout: c.stopTimeout,
      umask: c.umask,
      extra,
      notes: [
        ...held.notes,
        ...(held.sockets ? ['web server: the emperor holds its socket and restarts it with the restart dance (emperor restart-dance gunicorn): a stand-in with JOB_HANDLERS=0 serves while the original restarts, so no request is refused and no job runs twice'] : []),
        'gunicorn >= 25.1 opens a control socket that the stand-in must not share: add --no-control-socket to the command there (Gravity adds it by version)',
      ],
      approximate: [`restart_timeout = ${restartTimeout}: Gravity's rolling restarts are replaced by the restart dance, which waits for readiness (ready, ready-timeout)`],
      unmapped: [...c.unmapped, ...leftovers(s, where)],
    }];
  });
}

function celeryDrafts(config: GravityConfig, umask: string, env: NodeJS.ProcessEnv): ServiceDraft[] {
  const s = sub(config, 'celery');
  const enable = s.get('enable', 'bool', true);
  const enableBeat = s.get('enable_beat', 'bool', true);
  const concurrency = s.get('concurrency', 'int', 2);
  const loglevel = s.get('loglevel', 'string', 'DEBUG');
  const queues = s.get('queues', 'string', 'celery,galaxy.internal,galaxy.external');
  const pool = s.get('pool', 'string', 'threads');
  const args = extraArgs(s);
  const c = common(s, 'gravity.celery', 10, 10, umask);
  const settings = { concurrency, loglevel, queues, pool };
  const environment = serviceEnv(config, s, GALAXY_ENV(config), formatVars(config, settings, c.umask), env.PATH);
  const base = { settings: s, where: 'gravity.celery', env: environment, startTimeout: c.startTimeout, stopTimeout: c.stopTimeout, umask: c.umask, approximate: [] };
  const drafts: ServiceDraft[] = [];
  if (enable) {
    drafts.push({
      ...base,
      name: 'celery',
      argv: [venvBin(config, 'celery'), '--app', 'galaxy.celery', 'worker', '--concurrency', String(concurrency), '--loglevel', loglevel, '--pool', pool, '--queues', queues, ...args],
      extra: {},
      notes: [],
      unmapped: [...c.unmapped, ...leftovers(s, 'gravity.celery')],
    });
  }
  if (enableBeat) {
    drafts.push({
      ...base,
      name: 'celery-beat',
      argv: [venvBin(config, 'celery'), '--app', 'galaxy.celery', 'beat', '--loglevel', loglevel, '--schedule', path.join(config.dataDir, CELERY_BEAT_DB)],
      extra: { reload: 'stop-start' },
      notes: ['singleton: two beats schedule every periodic task twice; reload: stop-start never runs two (no overlap, no dance)'],
      unmapped: enable ? [] : [...c.unmapped, ...leftovers(s, 'gravity.celery')],
    });
  }
  return drafts;
}

function tusdDrafts(config: GravityConfig, umask: string, env: NodeJS.ProcessEnv): ServiceDraft[] {
  const raw = config.gravity.get<unknown>('tusd', 'any', {});
  const list = Array.isArray(raw) ? raw : [raw];
  return list.flatMap((item, i) => {
    const where = Array.isArray(raw) ? `gravity.tusd[${i}]` : 'gravity.tusd';
    const s = new SettingsReader(isMapping(item) ? item : {}, ['gravity', 'tusd'], config.source);
    if (!s.get('enable', 'bool', false)) return [];
    const uploadDir = s.get<string>('upload_dir', 'string', '');
    if (uploadDir === '') s.fail('upload_dir', 'missing: tusd needs upload_dir (the galaxy: section\'s tus_upload_store)');
    let hooks = s.get('hooks_http', 'string', '/api/upload/hooks');
    if (hooks.startsWith('/')) {
      const infra = typeof config.galaxy.galaxy_infrastructure_url === 'string' ? config.galaxy.galaxy_infrastructure_url.replace(/\/+$/, '') : '';
      if (infra === '') s.fail('hooks_http', 'starts with / so it needs galaxy_infrastructure_url in the galaxy: section (Gravity refuses it too)');
      hooks = `${infra}${hooks}`;
    }
    const host = s.get('host', 'string', 'localhost');
    const port = s.get('port', 'int', 1080);
    const events = s.get('hooks_enabled_events', 'string', 'pre-create');
    const c = common(s, where, 10, 10, umask);
    return [{
      name: Array.isArray(raw) ? `tusd${i}` : 'tusd',
      settings: s,
      where,
      argv: [s.get('tusd_path', 'string', 'tusd'), `-host=${host}`, `-port=${port}`, `-upload-dir=${uploadDir}`, `-hooks-http=${hooks}`, '-hooks-http-forward-headers=X-Api-Key,Cookie', ...extraArgs(s), '-hooks-enabled-events', events],
      env: serviceEnv(config, s, {}, formatVars(config, { host, port }, c.umask), env.PATH),
      startTimeout: c.startTimeout,
      stopTimeout: c.stopTimeout,
      umask: c.umask,
      extra: {},
      notes: ['tusd binds its own port: the emperor holds no socket for it'],
      approximate: [],
      unmapped: [...c.unmapped, ...leftovers(s, where)],
    }];
  });
}

function gxItProxyDrafts(config: GravityConfig, umask: string, env: NodeJS.ProcessEnv): ServiceDraft[] {
  const s = sub(config, 'gx_it_proxy');
  if (!s.get('enable', 'bool', false)) return [];
  if (!config.galaxy.interactivetools_enable) s.fail('enable', 'gx-it-proxy needs interactivetools_enable in the galaxy: section (Gravity refuses it too)');
  const g = config.galaxy;
  const sessions = String(g.interactivetoolsproxy_map ?? g.interactivetools_map ?? s.get('sessions', 'string', 'database/interactivetools_map.sqlite'));
  const basePath = `/${`/${String(g.interactivetools_base_path ?? '/').replace(/^\/+|\/+$/g, '')}/`.replace(/^\/+/, '')}`;
  const prefix = `${basePath}${String(g.interactivetools_prefix ?? 'interactivetool')}/ep`;
  const version = s.get('version', 'string', '>=0.0.6');
  const ip = s.get('ip', 'string', 'localhost');
  const port = s.get('port', 'int', 4002);
  const verbose = s.get('verbose', 'bool', true);
  const forwardIp = s.get<string | undefined>('forward_ip', 'string', undefined);
  const forwardPort = s.get<number | undefined>('forward_port', 'int', undefined);
  const reverse = s.get('reverse_proxy', 'bool', false);
  const c = common(s, 'gravity.gx_it_proxy', 10, 10, umask);
  return [{
    name: 'gx-it-proxy',
    settings: s,
    where: 'gravity.gx_it_proxy',
    argv: [
      venvBin(config, 'npx'), `@galaxyproject/gx-it-proxy@${version}`, '--ip', ip, '--port', String(port), '--sessions', sessions,
      ...(verbose ? ['--verbose'] : []), ...(forwardIp ? ['--forwardIP', forwardIp] : []), ...(forwardPort ? ['--forwardPort', String(forwardPort)] : []),
      ...(reverse ? ['--reverseProxy'] : []), '--proxyPathPrefix', prefix,
    ],
    env: serviceEnv(config, s, { npm_config_yes: 'true' }, formatVars(config, { ip, port }, c.umask), env.PATH),
    startTimeout: c.startTimeout,
    stopTimeout: c.stopTimeout,
    umask: c.umask,
    extra: {},
    notes: [],
    approximate: [],
    unmapped: [...c.unmapped, ...leftovers(s, 'gravity.gx_it_proxy')],
  }];
}

function reportsDrafts(config: GravityConfig, umask: string, env: NodeJS.ProcessEnv): ServiceDraft[] {
  const s = sub(config, 'reports');
  if (!s.get('enable', 'bool', false)) return [];
  const configFile = path.resolve(path.dirname(config.galaxyConfigFile), s.get('config_file', 'string', 'reports.yml'));
  const bind = s.get('bind', 'string', 'localhost:9001');
  const workers = s.get('workers', 'int', 1);
  const timeout = s.get('timeout', 'int', 300);
  const urlPrefix = s.get<string | undefined>('url_prefix', 'string', undefined);
  const c = common(s, 'gravity.reports', 10, 10, umask);
  const held = gunicornSocket(s, bind);
  return [{
    name: 'reports',
    settings: s,
    where: 'gravity.reports',
    argv: [
      venvBin(config, 'gunicorn'), 'galaxy.webapps.reports.fast_factory:factory()', '--timeout', String(timeout), '--pythonpath', 'lib',
      '-k', 'uvicorn.workers.UvicornWorker', ...held.bindArgs, `--workers=${workers}`, '--config', 'python:galaxy.web_stack.gunicorn_config',
      ...(urlPrefix ? ['--env', `SCRIPT_NAME=${urlPrefix}`] : []), ...extraArgs(s),
    ],
    env: serviceEnv(config, s, { PYTHONPATH: 'lib', GALAXY_REPORTS_CONFIG: configFile }, formatVars(config, { config_file: configFile, bind }, c.umask), env.PATH),
    startTimeout: c.startTimeout,
    stopTimeout: c.stopTimeout,
    umask: c.umask,
    extra: held.sockets ? { sockets: held.sockets, reload: 'overlap' } : {},
    notes: [...held.notes, ...(held.sockets ? ['reports handles no jobs: reload: overlap starts the new instance on the held socket before the old one stops'] : [])],
    approximate: [],
    unmapped: [...c.unmapped, ...leftovers(s, 'gravity.reports')],
  }];
}
