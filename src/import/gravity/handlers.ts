// Galaxy's job handlers as Gravity runs them: static ones named in the job config
// (handling.processes in YAML, <handlers><handler id> in XML) and dynamic ones from the
// `handlers:` section, expanded by `processes` and `name_template` as Gravity expands them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseYamlInput, readInput } from '../read-input.js';
import type { GravityConfig } from './gravity-config.js';
import { isMapping, SettingsReader } from './settings-reader.js';
import { serviceEnv } from './services.js';
import type { ServiceDraft } from './services.js';

interface HandlerSpec {
  readonly serverName: string;
  readonly settings: SettingsReader;
  readonly where: string;
  readonly pools: readonly string[];
}

export async function handlerDrafts(config: GravityConfig, umask: string, env: NodeJS.ProcessEnv, warnings: string[]): Promise<ServiceDraft[]> {
  const { assign, specs } = await staticHandlers(config);
  const dynamic = dynamicHandlers(config);
  if (dynamic.length > 0 && !assign.some((a) => a === 'db-skip-locked' || a === 'db-transaction-isolation')) {
    warnings.push(`${config.source.file}:${config.gravity.line('handlers')}: gravity.handlers: Galaxy does not assign jobs to handlers dynamically (the job config's handling.assign lacks db-skip-locked or db-transaction-isolation), so these handlers will handle no jobs (Gravity warns too)`);
  }
  return [...specs, ...dynamic].map((h) => draft(config, h, umask, env));
}

function draft(config: GravityConfig, h: HandlerSpec, umask: string, env: NodeJS.ProcessEnv): ServiceDraft {
  const s = h.settings;
  const program = config.virtualenv === undefined ? 'python' : path.join(config.virtualenv, 'bin', 'python');
  return {
    name: h.serverName,
    settings: s,
    where: h.where,
    argv: [program, './scripts/galaxy-main', '-c', config.galaxyConfigFile, `--server-name=${h.serverName}`, ...h.pools.map((p) => `--attach-to-pool=${p}`)],
    env: serviceEnv(config, s, {}, { galaxy_conf: config.galaxyConfigFile, galaxy_root: config.galaxyRoot, log_dir: config.logDir, settings: { server_name: h.serverName } }, env.PATH),
    startTimeout: s.get('start_timeout', 'int', 20),
    stopTimeout: s.get('stop_timeout', 'int', 65),
    umask: s.get<string | undefined>('umask', 'string', undefined) ?? umask,
    extra: { reload: 'stop-start' },
    notes: [`singleton: job handler ${h.serverName}; two processes with one server name would handle the same job twice, so reload: stop-start never runs two`],
    approximate: ['command: ./scripts/galaxy-main of a source checkout (Gravity runs galaxy-main instead when Galaxy is installed as a package)'],
    unmapped: s.leftover()
      .filter(([k]) => !['processes', 'pools', 'name_template', 'environment', 'enable'].includes(k))
      .map(([k, v]) => `${h.where}.${k} = ${JSON.stringify(v)}: ${k.startsWith('memory') ? 'no cgroup memory limits in the emperor' : 'not a handler setting Gravity uses'}`),
  };
}

// gravity.handlers: NAME: { processes, pools, name_template, environment, … }
function dynamicHandlers(config: GravityConfig): HandlerSpec[] {
  const handlers = config.gravity.get<Record<string, unknown>>('handlers', 'map', {});
  const out: HandlerSpec[] = [];
  for (const [name, raw] of Object.entries(handlers)) {
    const s = new SettingsReader(isMapping(raw) ? raw : {}, ['gravity', 'handlers', name], config.source);
    const where = `gravity.handlers.${name}`;
    const count = s.get('processes', 'int', 1);
    const pools = s.get<unknown>('pools', 'any', []);
    if (!Array.isArray(pools) || pools.some((p) => typeof p !== 'string')) s.fail('pools', `expected a list of pool names, got ${JSON.stringify(pools)}`);
    const template = s.get<string | undefined>('name_template', 'string', undefined);
    const base = { settings: s, where, pools: pools as string[] };
    if (template === undefined && count === 1 && /\d$/.test(name)) {
      out.push({ ...base, serverName: name });
      continue;
    }
    for (let process = 0; process < count; process++) {
      const serverName = (template ?? '{name}_{process}').trim().replace(/\{(name|process|instance_name)\}/g, (_, v: string) => (v === 'name' ? name : v === 'process' ? String(process) : '_default_'));
      if (out.some((h) => h.serverName === serverName)) s.fail('name_template', `gives the name ${serverName} twice; every handler needs its own server name`);
      out.push({ ...base, serverName });
    }
  }
  return out;
}

// The job config's handlers, and how jobs are assigned to handlers (handling.assign / assign_with)
async function staticHandlers(config: GravityConfig): Promise<{ assign: string[]; specs: HandlerSpec[] }> {
  const g = config.galaxy;
  const configDir = path.dirname(config.galaxyConfigFile);
  if (typeof g.job_config_file !== 'string' && isMapping(g.job_config)) return fromYaml(g.job_config, config.galaxyConfigFile);
  let file: string | undefined;
  if (typeof g.job_config_file === 'string') file = path.resolve(configDir, g.job_config_file);
  else file = ['job_conf.yml', 'job_conf.xml'].map((f) => path.join(configDir, f)).find((f) => existsSync(f));
  if (file === undefined || !existsSync(file)) return { assign: [], specs: [] };
  const text = await readInput(file);
  if (file.endsWith('.xml')) return fromXml(text, file);
  const doc = parseYamlInput(text, file);
  return fromYaml(isMapping(doc) ? doc : {}, file);
}

function fromYaml(jobConfig: Record<string, unknown>, file: string): { assign: string[]; specs: HandlerSpec[] } {
  const handling = isMapping(jobConfig.handling) ? jobConfig.handling : {};
  const assign = Array.isArray(handling.assign) ? handling.assign.map(String) : typeof handling.assign === 'string' ? [handling.assign] : [];
  const processes = isMapping(handling.processes) ? handling.processes : {};
  const specs = Object.entries(processes).map(([name, options]) => {
    const environment = isMapping(options) && isMapping(options.environment) ? options.environment : {};
    return {
      serverName: name,
      settings: new SettingsReader({ environment }, ['handling', 'processes', name], { file, text: '' }),
      where: `${path.basename(file)} handling.processes.${name}`,
      pools: [],
    };
  });
  return { assign, specs };
}

function fromXml(text: string, file: string): { assign: string[]; specs: HandlerSpec[] } {
  const block = /<handlers\b([^>]*)>([\s\S]*?)<\/handlers>/.exec(text);
  if (!block) return { assign: [], specs: [] };
  const assign = (/assign_with\s*=\s*"([^"]*)"/.exec(block[1] ?? '')?.[1] ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  const ids = [...(block[2] ?? '').matchAll(/<handler\b[^>]*\bid\s*=\s*"([^"]+)"/g)].map((m) => m[1] ?? '');
  return {
    assign,
    specs: ids.map((id) => ({ serverName: id, settings: new SettingsReader({}, ['handlers', id], { file, text }), where: `${path.basename(file)} <handler id="${id}">`, pools: [] })),
  };
}
