// One PM2 app -> its vassals: the command PM2 would exec (interpreter, its args, script, args),
// its environment, and PM2's restart, stop and log keys in the emperor's terms.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ImportedVassal } from '../imported-vassal.js';
import { splitPosix } from '../shell-words.js';
import { seconds } from '../units.js';

export interface AppContext {
  readonly file: string;
  readonly index: number;
  readonly envName: string | undefined;
  readonly cpus: number;
  fail(message: string): never;
}

// PM2's interpreter by extension (lib/API/interpreter.json); anything else runs under node
const INTERPRETERS: Readonly<Record<string, string>> = {
  '.sh': 'bash', '.py': 'python', '.rb': 'ruby', '.php': 'php', '.pl': 'perl', '.coffee': 'coffee', '.ls': 'lsc', '.ts': 'ts-node', '.tsx': 'ts-node',
};

const NO_EQUIVALENT: Readonly<Record<string, string>> = {
  watch: 'the emperor reloads a vassal when its file changes or is touched; have a file watcher touch the vassal file',
  ignore_watch: 'no file watching of the app (see watch)',
  watch_delay: 'no file watching of the app (see watch)',
  watch_options: 'no file watching of the app (see watch)',
  max_memory_restart: 'no restart on memory use; emperor.limits (as, rss) kill instead of restart',
  cron_restart: 'no scheduled restarts; run `emperor reload NAME` from cron or a systemd timer',
  cron: 'no scheduled restarts; run `emperor reload NAME` from cron or a systemd timer',
  log_date_format: 'lines are written as the app writes them',
  time: 'lines are written as the app writes them',
  merge_logs: 'each instance is its own vassal with its own logto',
  combine_logs: 'each instance is its own vassal with its own logto',
  log_type: 'lines are written as the app writes them',
  pid_file: 'the emperor keeps pids itself (emperor status --json)',
  shutdown_with_message: 'no IPC channel: instances are stopped with stop-signal',
  namespace: 'no namespaces; vassal names are the file names',
  source_map_support: 'a node option: add --enable-source-maps to the interpreter arguments',
  disable_source_map_support: 'a node option',
  treekill: 'the emperor always signals the whole process group',
  vizion: 'PM2 metadata',
  pmx: 'PM2 metadata',
  automation: 'PM2 metadata',
  trace: 'PM2 metadata',
  disable_trace: 'PM2 metadata',
  filter_env: 'the emperor passes its own environment on, like PM2 without filter_env',
  post_update: 'PM2 deployment',
  force: 'PM2 CLI behaviour',
  append_env_to_name: 'vassal names are the app names',
  windowsHide: 'Windows only',
  kill_retry_time: 'how often PM2 polls a stopping process; the emperor is told of its exit',
};

// The keys mapApp reads itself (anything else is listed)
const READ = new Set([
  'name', 'script', 'exec', 'args', 'interpreter', 'exec_interpreter', 'interpreter_args', 'node_args', 'interpreterArgs', 'cwd', 'env', 'instances', 'exec_mode',
  'max_restarts', 'restart_delay', 'exp_backoff_restart_delay', 'kill_timeout', 'listen_timeout', 'wait_ready', 'out_file', 'out', 'output', 'out_log',
  'error_file', 'error', 'err', 'err_file', 'err_log', 'log_file', 'log', 'uid', 'user', 'gid', 'autorestart', 'stop_exit_codes', 'min_uptime',
  'instance_var', 'increment_var', 'port',
]);

export function mapApp(app: Record<string, unknown>, ctx: AppContext): ImportedVassal[] {
  const pick = (...keys: string[]): unknown => keys.map((k) => app[k]).find((v) => v !== undefined && v !== null);
  const str = (key: string, v: unknown): string | undefined => (v === undefined ? undefined : typeof v === 'string' || typeof v === 'number' ? String(v) : ctx.fail(`${key}: expected a string, got ${JSON.stringify(v)}`));
  const num = (key: string): number | undefined => {
    const v = app[key];
    if (v === undefined || v === null) return undefined;
    const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    return typeof n === 'number' && n >= 0 ? n : ctx.fail(`${key}: expected a number of milliseconds or times, got ${JSON.stringify(v)}`);
  };
  const script = str('script', pick('script', 'exec')) ?? ctx.fail('script: missing (PM2 requires it)');
  const name = str('name', app.name) ?? path.basename(script, path.extname(script));
  if (!/^[^/\0.][^/\0]*$/.test(name)) ctx.fail(`name: expected a name usable as a file name, got ${JSON.stringify(name)}`);
  const configDir = path.dirname(ctx.file);
  const cwd = path.resolve(configDir, str('cwd', app.cwd) ?? '.');
  const notes: string[] = [];
  const approximate: string[] = [];
  const unmapped: string[] = [];
  if (app.cwd === undefined) approximate.push(`cwd: the ecosystem file's directory (${cwd}); PM2 uses the shell's directory where pm2 start ran`);

  const argv = commandOf(app, script, cwd, ctx, notes);
  const env = envOf(app, ctx, notes);
  const emperor: Record<string, unknown> = { command: argv, cwd };
  const kill = num('kill_timeout');
  emperor['stop-signal'] = 'SIGINT';
  emperor['stop-timeout'] = seconds((kill ?? 1600) / 1000);
  if (kill === undefined) notes.push("PM2's defaults applied: SIGINT to stop, SIGKILL after kill_timeout = 1600 ms");
  else notes.push("PM2's default applied: SIGINT to stop");
  if (app.wait_ready === true) {
    approximate.push("wait_ready = true: process.send('ready') needs PM2's IPC channel, which the emperor does not open; the instance counts as ready once spawned. To wait for it, write READY=1 to the fd in EMPEROR_NOTIFY_FD (or sd_notify) and set ready: notify");
  }
  const listen = num('listen_timeout');
  if (listen !== undefined) {
    emperor['ready-timeout'] = seconds(Math.max(listen, 1) / 1000);
    approximate.push(`listen_timeout = ${listen}: ready-timeout, the longest a start may take before it counts as failed`);
  }
  mapRestart(app, num, emperor, approximate, ctx);
  mapLogs(app, pick, str, cwd, emperor, approximate);
  const uid = pick('uid', 'user');
  const gid = app.gid;
  if (uid !== undefined) emperor.user = uid;
  if (gid !== undefined && gid !== null) emperor.group = gid;

  for (const [key, value] of Object.entries(app)) {
    if (READ.has(key) || key.startsWith('env_')) continue;
    const reason = NO_EQUIVALENT[key] ?? 'not a PM2 app key (PM2 ignores it too)';
    unmapped.push(`${key} = ${JSON.stringify(value)}: ${reason}`);
  }
  return instancesOf(app, name, emperor, env, { notes, approximate, unmapped }, ctx);
}

// [interpreter, interpreter args, script, args], or [script, args] for interpreter none and binaries on PATH
function commandOf(app: Record<string, unknown>, script: string, cwd: string, ctx: AppContext, notes: string[]): string[] {
  const words = (key: string, v: unknown): string[] => {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v.map(String);
    if (typeof v !== 'string') return ctx.fail(`${key}: expected a string or a list of strings, got ${JSON.stringify(v)}`);
    const split = splitPosix(v);
    return split.ok ? split.words : ctx.fail(`${key}: ${split.message}`);
  };
  const args = words('args', app.args);
  const interpreterArgs = words('interpreter_args', app.interpreter_args ?? app.node_args ?? app.interpreterArgs);
  const given = (app.interpreter ?? app.exec_interpreter) as string | undefined;
  const scriptPath = path.resolve(cwd, script);
  if (given === 'none') return [scriptPath, ...args];
  if (given === undefined && path.extname(script) === '' && !existsSync(scriptPath) && !script.includes('/')) {
    notes.push(`script ${script} is no file in ${cwd}: run as a program from PATH (as PM2 does for binaries)`);
    return [script, ...args];
  }
  const interpreter = given ?? INTERPRETERS[path.extname(script)] ?? 'node';
  if (given === undefined) notes.push(`interpreter: ${interpreter} (PM2's choice for ${path.extname(script) || 'a script without extension'})`);
  return [interpreter, ...interpreterArgs, scriptPath, ...args];
}

// env, then env_<name> with --env, values as strings
function envOf(app: Record<string, unknown>, ctx: AppContext, notes: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const merge = (key: string): void => {
    const v = app[key];
    if (v === undefined || v === null) return;
    if (typeof v !== 'object' || Array.isArray(v)) ctx.fail(`${key}: expected a mapping of variables, got ${JSON.stringify(v)}`);
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      out[k] = typeof val === 'object' && val !== null ? JSON.stringify(val) : String(val);
    }
  };
  merge('env');
  if (ctx.envName !== undefined) merge(`env_${ctx.envName}`);
  const others = Object.keys(app).filter((k) => k.startsWith('env_') && k !== `env_${ctx.envName ?? ''}`);
  if (others.length > 0) notes.push(`not used (import with --env NAME to merge one): ${others.join(', ')}`);
  if (app.port !== undefined) out.PORT = String(app.port);
  return out;
}

function mapRestart(app: Record<string, unknown>, num: (k: string) => number | undefined, emperor: Record<string, unknown>, approximate: string[], ctx: AppContext): void {
  const codes = app.stop_exit_codes;
  if (app.autorestart === false) emperor.restart = 'never';
  else if (codes !== undefined) {
    const list = (Array.isArray(codes) ? codes : [codes]).map(Number);
    if (list.some((c) => !Number.isInteger(c))) ctx.fail(`stop_exit_codes: expected exit codes, got ${JSON.stringify(codes)}`);
    emperor.restart = 'on-failure';
    if (!(list.length === 1 && list[0] === 0)) approximate.push(`stop_exit_codes = ${JSON.stringify(codes)}: restart: on-failure leaves exit 0 alone and restarts after any other code`);
  }
  const max = num('max_restarts');
  if (max !== undefined) {
    emperor['max-restarts'] = max;
    approximate.push(`max_restarts = ${max}: PM2 counts restarts of runs shorter than min_uptime; the emperor counts respawns since the last healthy run (ready and up longer than restart-window)`);
  }
  const minUptime = num('min_uptime');
  if (minUptime !== undefined) {
    emperor['restart-window'] = seconds(minUptime / 1000);
    approximate.push(`min_uptime = ${minUptime}: restart-window, the run after which the restart history is cleared`);
  }
  const delay = num('restart_delay');
  const backoff = num('exp_backoff_restart_delay');
  if ((delay ?? 0) > 0 || (backoff ?? 0) > 0) {
    emperor['restart-burst'] = 0;
    const what = (delay ?? 0) > 0 ? `restart_delay = ${delay}` : `exp_backoff_restart_delay = ${backoff}`;
    approximate.push(`${what}: restart-burst: 0 delays every respawn; the delay starts at the emperor's --throttle (default 1 s) and doubles up to --max-throttle, emperor-wide`);
  }
}

function mapLogs(
  app: Record<string, unknown>,
  pick: (...keys: string[]) => unknown,
  str: (key: string, v: unknown) => string | undefined,
  cwd: string,
  emperor: Record<string, unknown>,
  approximate: string[],
): void {
  const combined = str('log_file', pick('log_file', 'log'));
  const out = str('out_file', pick('out_file', 'out', 'output', 'out_log'));
  const err = str('error_file', pick('error_file', 'error', 'err', 'err_file', 'err_log'));
  const target = combined ?? out ?? err;
  if (target === undefined || target === '/dev/null') return;
  emperor.logto = path.resolve(cwd, target);
  const others = [combined === undefined ? undefined : out, err].filter((f) => f !== undefined && f !== target);
  if (others.length > 0 || (combined === undefined && err === undefined)) {
    approximate.push(`${combined !== undefined ? 'log_file' : out !== undefined ? 'out_file' : 'error_file'} = ${target}: stdout and stderr both go to logto${others.length > 0 ? ` (${others.join(', ')} not written separately)` : ''}`);
  }
}

// One vassal per instance in fork mode; in cluster mode one vassal and a note
function instancesOf(
  app: Record<string, unknown>,
  name: string,
  emperor: Record<string, unknown>,
  env: Record<string, string>,
  said: { notes: string[]; approximate: string[]; unmapped: string[] },
  ctx: AppContext,
): ImportedVassal[] {
  const raw = app.instances ?? 1;
  const asked = raw === 'max' ? 0 : typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof asked !== 'number' || !Number.isInteger(asked)) return ctx.fail(`instances: expected a number or "max", got ${JSON.stringify(raw)}`);
  const count = asked === 0 ? ctx.cpus : asked < 0 ? Math.max(1, ctx.cpus + asked) : asked;
  const cluster = typeof app.exec_mode === 'string' && app.exec_mode.startsWith('cluster');
  const instanceVar = typeof app.instance_var === 'string' ? app.instance_var : 'NODE_APP_INSTANCE';
  const increment = typeof app.increment_var === 'string' ? app.increment_var : undefined;
  const origin = `${ctx.file} apps[${ctx.index}] (${name})`;
  if (asked <= 0) said.notes.push(`instances = ${JSON.stringify(raw)}: ${count}, the CPUs of the host that ran the import`);
  const files = cluster ? 1 : count;
  if (!cluster && files > 1) said.notes.push(`instances = ${files} in fork mode: one vassal each, as PM2 runs them; like PM2's fork mode, they must not bind the same port (${instanceVar} tells them apart)`);
  if (cluster) {
    said.approximate.push(`exec_mode = cluster, instances = ${count}: PM2 runs ${count} node workers behind one port with the cluster module; the emperor runs one instance. Hold the port (sockets:) and let the app fork its own workers, or import with exec_mode fork for one vassal per instance on ports of their own`);
  }
  return Array.from({ length: files }, (_, i) => {
    const instanceEnv: Record<string, string> = { ...env, [instanceVar]: String(i) };
    if (increment !== undefined) instanceEnv[increment] = String(Number(env[increment] ?? 0) + i);
    const vassalName = files > 1 ? `${name}-${i}` : name;
    // PM2 gives each instance its own log file (app-out-0.log) unless merge_logs is set; so does the import.
    const logto = typeof emperor.logto === 'string' && files > 1 ? emperor.logto.replace(/(\.[^./]*)?$/, (ext) => `-${i}${ext}`) : emperor.logto;
    return {
      name: vassalName,
      origin: files > 1 ? `${origin}, instance ${i}` : origin,
      emperor: {
        command: emperor.command,
        cwd: emperor.cwd,
        env: instanceEnv,
        ...Object.fromEntries(Object.entries(emperor).filter(([k]) => k !== 'command' && k !== 'cwd')),
        ...(logto === undefined ? {} : { logto }),
      },
      notes: [...said.notes, ...(files > 1 ? [`instance ${i + 1} of ${files} (${instanceVar}=${i}${increment ? `, ${increment}=${instanceEnv[increment] ?? ''}` : ''})`] : [])],
      approximate: said.approximate,
      unmapped: said.unmapped,
    };
  });
}
