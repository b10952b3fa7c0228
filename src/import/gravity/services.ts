// Gravity's services (gunicorn, celery, celery-beat, tusd, gx-it-proxy, reports, the job
// handlers) as vassals: the command Gravity's `direct` command style would write, its
// environment, and the emperor's answer to what Gravity does around it (held socket and the
// restart dance for the web server, stop-start for the singletons).
import path from 'node:path';
import type { ImportedVassal } from '../imported-vassal.js';
import { splitPosix } from '../shell-words.js';
import { seconds } from '../units.js';
import { heldBind } from './bind-socket.js';
import type { GravityConfig } from './gravity-config.js';
import type { SettingsReader } from './settings-reader.js';

/** One process Gravity would run, as the importer builds it before the common keys are added. */
export interface ServiceDraft {
  readonly name: string;
  readonly settings: SettingsReader;
  /** Key path of the settings, for origin and problems: gravity.gunicorn, gravity.handlers.pool. */
  readonly where: string;
  readonly argv: string[];
  readonly env: Record<string, string>;
  readonly startTimeout: number;
  readonly stopTimeout: number;
  readonly umask: string | undefined;
  /** Keys placed after the common ones (sockets, reload, standin). */
  readonly extra: Record<string, unknown>;
  readonly notes: string[];
  readonly approximate: string[];
  readonly unmapped: string[];
}

export const CELERY_BEAT_DB = 'celerybeat-schedule';

// The common keys every service gets, in a fixed order
export function toVassal(config: GravityConfig, d: ServiceDraft, user: string | undefined, group: string | undefined): ImportedVassal {
  const emperor: Record<string, unknown> = { command: d.argv, cwd: config.galaxyRoot };
  if (Object.keys(d.env).length > 0) emperor.env = d.env;
  if (user !== undefined) emperor.user = user;
  if (group !== undefined) emperor.group = group;
  if (d.umask !== undefined) emperor.umask = d.umask;
  emperor['stop-timeout'] = seconds(d.stopTimeout);
  if (d.startTimeout > 0) emperor.ready = `delay: ${seconds(d.startTimeout)}`;
  if (d.startTimeout >= 60) emperor['ready-timeout'] = seconds(d.startTimeout + 60);
  emperor.logto = path.join(config.logDir, `${d.name}.log`);
  Object.assign(emperor, d.extra);
  const applied = d.settings.applied.length > 0 ? [`Gravity's defaults applied (${d.where}): ${d.settings.applied.join(', ')}`] : [];
  return {
    name: d.name,
    origin: `${config.source.file} (${d.where})`,
    emperor,
    notes: [...d.notes, ...applied],
    approximate: [
      `start_timeout = ${d.startTimeout}: ready after surviving ${d.startTimeout} s (Gravity's supervisor startsecs)`,
      `logto ${path.join(config.logDir, `${d.name}.log`)}: where Gravity's supervisor config writes it (stdout and stderr); under systemd Gravity logs to the journal`,
      ...d.approximate,
    ],
    unmapped: d.unmapped,
  };
}

// The environment Gravity gives a service: its defaults, VIRTUAL_ENV and PATH, then `environment:` formatted with its variables
export function serviceEnv(config: GravityConfig, s: SettingsReader, defaults: Record<string, string>, vars: Record<string, unknown>, pathEnv: string | undefined): Record<string, string> {
  const env: Record<string, string> = { ...defaults };
  if (config.virtualenv !== undefined) {
    env.VIRTUAL_ENV = config.virtualenv;
    env.PATH = `${path.join(config.virtualenv, 'bin')}${pathEnv === undefined ? '' : `:${pathEnv}`}`;
  }
  const own = s.get<Record<string, unknown>>('environment', 'map', {});
  for (const [k, v] of Object.entries(own)) env[k] = String(v);
  const formatted: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    const out = formatBraces(v, vars);
    formatted[k] = out.ok ? out.text : s.fail('environment', `${k}: ${out.message}`);
  }
  return formatted;
}

// Python's str.format for `{name}` and `{name[key]}`, as Gravity formats environment values
export function formatBraces(text: string, vars: Record<string, unknown>): { ok: true; text: string } | { ok: false; message: string } {
  let failure: string | undefined;
  const out = text.replace(/\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]+)\])?\}/g, (whole, name: string | undefined, key: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    const value = name === undefined ? undefined : vars[name];
    const picked = key === undefined ? value : typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    if (picked === undefined) failure ??= `{${name ?? ''}${key ? `[${key}]` : ''}} names nothing Gravity offers (${Object.keys(vars).join(', ')})`;
    return String(picked ?? '');
  });
  return failure === undefined ? { ok: true, text: out } : { ok: false, message: failure };
}

// extra_args appended as shlex would split them
export function extraArgs(s: SettingsReader): string[] {
  const text = s.get<string>('extra_args', 'string', '');
  const split = splitPosix(text);
  return split.ok ? split.words : s.fail('extra_args', split.message);
}

// A gunicorn bind as a held socket: the socket, the bind arguments gunicorn gets instead, and notes
export function gunicornSocket(s: SettingsReader, bind: string): { sockets?: Record<string, string>; bindArgs: string[]; notes: string[] } {
  const held = heldBind(bind);
  if (held.kind === 'invalid') s.fail('bind', held.message);
  if (held.kind === 'passthrough') return { bindArgs: ['--bind', bind], notes: [held.note] };
  if (held.kind !== 'held') return { bindArgs: [], notes: [] };
  const notes = held.note ? [held.note] : [];
  if (held.bindArgs.length === 0) notes.push(`bind = ${bind}: held by the emperor and handed over through LISTEN_FDS (gunicorn takes it from there and never unlinks it)`);
  return { sockets: { http: held.address }, bindArgs: [...held.bindArgs], notes };
}
