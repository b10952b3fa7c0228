// `emperor --vassals DIR [...]` (also `emperor run --vassals DIR`): runs the emperor daemon.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDuration } from '../../config/duration.js';
import type { DaemonOptions } from '../../daemon/daemon-options.js';
import { lookupGroup } from '../../lib/accounts.js';
import { parseEtcdUrl, parseEtcdVassalsUrl } from '../../lib/etcd-url.js';
import { connectionOf } from '../connection.js';
import { usageError } from '../exit-codes.js';
import { prepareRunDir } from '../prepare-run-dir.js';
import { resolveHttpListen } from '../http-listen-option.js';
import { resolveControlPath, resolveRunDir } from '../run-dir.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

interface DaemonFlags {
  vassals?: string[];
  vassalWrapper: string;
  throttle: number;
  maxThrottle: number;
  requiredHeartbeat: number;
  missingDirGrace: number;
  rescanInterval: number;
  logFormat?: 'json' | 'pretty';
  logLevel: string;
  logFile?: string;
  tyrant?: boolean;
  tyrantAllowRoot?: boolean;
  controlGroup?: string;
  http?: string;
  httpToken?: string;
  fleet?: string;
  node?: string;
  fleetPrefix: string;
  fleetTtl: number;
}

export const DAEMON_EXAMPLES = `
Examples:
  $ emperor --vassals /etc/emperor/vassals
  $ emperor --vassals ./vassals --run-dir /tmp/emperor --log-format pretty
  $ emperor --vassals ./vassals --throttle 500ms --max-throttle 2m
  $ emperor --vassals /etc/emperor/vassals --log-file /var/log/emperor/emperor.log
  $ emperor --vassals /etc/emperor/vassals --fleet etcd://10.0.0.5:2379,10.0.0.6:2379 --node web-1
  $ emperor --vassals etcd://10.0.0.5:2379/emperor/vassals/ --vassals /etc/emperor/vassals

--vassals etcd://HOST:PORT[,HOST:PORT…]/PREFIX/ reads vassal files from etcd: each key directly
under PREFIX named like a vassal file (web.yml, worker.ini) is one, put = drop or change, a put
of the same value = touch, delete = removal. --vassals may be given more than once (at most one
directory). While etcd cannot be reached its vassals keep running; status shows the source as
disconnected. See docs/vassals-from-etcd.md.

In a fleet (--fleet), a vassal with \`singleton: fleet\` in its emperor section runs on exactly
one of the emperors that have its file; the others show it as standby. See docs/fleet.md.`;

// Parses 500ms / 10s / 2m / bare seconds into milliseconds for commander.
function durationOption(value: string): number {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.message);
  return parsed.ms;
}

function logFormatOption(value: string): 'json' | 'pretty' {
  if (value !== 'json' && value !== 'pretty') throw new InvalidArgumentError(`expected json or pretty, got '${value}'`);
  return value;
}

// A duration option (500ms, 10s, 2m or bare seconds) whose value is milliseconds.
function durationFlag(flags: string, description: string, fallback: string): Option {
  return new Option(flags, description).argParser(durationOption).default(durationOption(fallback), fallback);
}

// The options that shape how vassal files are loaded: `emperor check` takes the same as the daemon.
export function addLoadOptions(cmd: Command): Command {
  return cmd
    .option('--vassal-wrapper <path>', 'program that runs uWSGI vassals', 'uwsgi')
    .addOption(durationFlag('--required-heartbeat <duration>', 'silence after which a heartbeating uWSGI vassal is hung', '30s'))
    .option('--tyrant', "run each vassal as the owner of its file (uWSGI's tyrant mode; the emperor must be root)")
    .option('--tyrant-allow-root', 'with --tyrant, let files owned by root run as root');
}

// Adds the daemon's options (the run-dir and control options are added separately).
export function addDaemonOptions(cmd: Command): Command {
  return addLoadOptions(cmd.option('--vassals <dir|etcd-url>', 'directory of vassal files to watch, or etcd://HOST:PORT[,…]/PREFIX/ whose keys are vassal files; repeatable (required to run the daemon)', (value: string, previous: string[] | undefined) => [...(previous ?? []), value]))
    .addOption(durationFlag('--throttle <duration>', "first respawn delay once a vassal's restart burst is used up (doubles each time)", '1s'))
    .addOption(durationFlag('--max-throttle <duration>', 'largest respawn delay', '60s'))
    .addOption(durationFlag('--missing-dir-grace <duration>', 'how long vassals keep running after their directory vanishes, in case a deploy brings it back (0: stop them at once)', '10s'))
    .addOption(durationFlag('--rescan-interval <duration>', 'period of the safety rescan that catches file events the kernel dropped, stretched so that it takes at most 0.1 % of a core (0: none)', '30s'))
    .option('--log-format <format>', 'json or pretty (default: pretty when stderr is a terminal, else json)', logFormatOption)
    .addOption(new Option('--log-level <level>', 'how much the emperor logs').choices(LOG_LEVELS).default('info'))
    .option('--log-file <path>', "write the emperor's own log to this file instead of stderr (reopened on SIGUSR1 or `emperor reopen-logs`; under systemd leave it out: stderr goes to the journal)")
    .option('--control-group <group>', 'let this group use the control socket (mode 0660), e.g. for `emperor status` without root')
    .option('--http <addr:port>', 'also serve the dashboard and the API over TCP, e.g. 127.0.0.1:9090 (read-only without --http-token; see docs/api.md)')
    .option('--http-token <file>', 'token file (mode 0600) for --http: needed for actions, and to bind a non-loopback address')
    .option('--fleet <url>', 'join the fleet of emperors on this etcd cluster: etcd://HOST:PORT[,HOST:PORT…]')
    .option('--node <name>', "this emperor's name in the fleet (default: the host name)")
    .option('--fleet-prefix <prefix>', 'etcd key prefix of the fleet (several fleets may share one etcd)', '/emperor/')
    .addOption(durationFlag('--fleet-ttl <duration>', 'lease TTL in the fleet: a dead node\'s fleet singletons start elsewhere after it (whole seconds, at least 2s)', '10s'));
}

// The vassals directory must be a directory the emperor can list (and enter).
async function checkVassalsDir(written: string, dir: string): Promise<void> {
  const st = await stat(dir).catch((err: NodeJS.ErrnoException) => err);
  if (st instanceof Error) throw usageError(`--vassals ${written}: ${st.code === 'ENOENT' ? 'no such directory' : `cannot be used: ${st.message}`}`);
  if (!st.isDirectory()) throw usageError(`--vassals ${written}: not a directory`);
  try {
    await access(dir, constants.R_OK | constants.X_OK);
  } catch (err) {
    throw usageError(`--vassals ${written}: cannot read the directory (${(err as Error).message})`);
  }
}

function controlGroupId(group: string | undefined): number | undefined {
  if (group === undefined) return undefined;
  const found = lookupGroup(group);
  if (!found) throw usageError(`--control-group ${group}: no such group`);
  return found.gid;
}

const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const MIN_FLEET_TTL_MS = 2000;

// --fleet and its companions; undefined when the emperor runs alone.
function fleetOptions(flags: DaemonFlags): DaemonOptions['fleet'] {
  if (flags.fleet === undefined) {
    if (flags.node !== undefined) throw usageError('--node only makes sense with --fleet etcd://HOST:PORT');
    return undefined;
  }
  const url = parseEtcdUrl(flags.fleet);
  if (!url.ok) throw usageError(`--fleet: ${url.message}`);
  const node = flags.node ?? hostname().split('.')[0] ?? 'localhost';
  if (!NODE_NAME.test(node)) throw usageError(`--node ${node}: expected letters, digits, '.', '_' or '-' (at most 63, starting with a letter or digit)`);
  const prefix = flags.fleetPrefix;
  if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw usageError(`--fleet-prefix ${prefix}: expected a key prefix that starts and ends with '/', like /emperor/`);
  // etcd leases count whole seconds.
  if (flags.fleetTtl < MIN_FLEET_TTL_MS || flags.fleetTtl % 1000 !== 0) throw usageError(`--fleet-ttl: expected whole seconds, at least ${MIN_FLEET_TTL_MS / 1000}s (etcd leases count seconds)`);
  return { hosts: url.hosts, node, prefix, ttlMs: flags.fleetTtl };
}

// Every --vassals: at most one directory (checked), any number of etcd prefixes.
async function vassalSourcesOf(flags: DaemonFlags): Promise<Pick<DaemonOptions, 'vassalsDir' | 'vassalSources'>> {
  const given = flags.vassals ?? [];
  if (given.length === 0) throw usageError('missing --vassals DIR (or etcd://HOST:PORT/PREFIX/): where the vassal files to run are (see `emperor --help`)');
  let vassalsDir: string | null = null;
  const vassalSources: DaemonOptions['vassalSources'][number][] = [];
  for (const written of given) {
    if (written.startsWith('etcd:')) {
      const url = parseEtcdVassalsUrl(written);
      if (!url.ok) throw usageError(`--vassals: ${url.message}`);
      if (vassalSources.some((s) => s.origin === url.origin && s.prefix === url.prefix)) throw usageError(`--vassals ${written}: given twice`);
      vassalSources.push({ hosts: url.hosts, prefix: url.prefix, origin: url.origin });
      continue;
    }
    if (vassalsDir !== null) throw usageError(`--vassals ${written}: one vassals directory at most (${vassalsDir} is already given); more sources can be etcd://HOST:PORT/PREFIX/`);
    vassalsDir = resolve(written);
    await checkVassalsDir(written, vassalsDir);
  }
  return { vassalsDir, vassalSources };
}

// Checks the vassals directory, resolves the options and runs the daemon until it stops.
export async function runDaemonCommand(cmd: Command): Promise<number> {
  const flags = cmd.opts<DaemonFlags>();
  const { vassalsDir, vassalSources } = await vassalSourcesOf(flags);
  const conn = connectionOf(cmd);
  const runDir = resolveRunDir({ flag: conn.runDir });
  prepareRunDir(runDir);
  const opts: DaemonOptions = {
    vassalsDir,
    vassalSources,
    runDir,
    controlPath: resolveControlPath(runDir, conn.control),
    vassalWrapper: flags.vassalWrapper,
    throttleMs: flags.throttle,
    maxThrottleMs: flags.maxThrottle,
    requiredHeartbeatMs: flags.requiredHeartbeat,
    missingDirGraceMs: flags.missingDirGrace,
    rescanIntervalMs: flags.rescanInterval,
    logFormat: flags.logFormat ?? (process.stderr.isTTY && flags.logFile === undefined ? 'pretty' : 'json'),
    logLevel: flags.logLevel,
    logFile: flags.logFile === undefined ? undefined : resolve(flags.logFile),
    tyrant: flags.tyrant === true,
    tyrantAllowRoot: flags.tyrantAllowRoot === true,
    controlGroupId: controlGroupId(flags.controlGroup),
    http: resolveHttpListen(flags.http, flags.httpToken),
    fleet: fleetOptions(flags),
  };
  if (opts.tyrantAllowRoot && !opts.tyrant) throw usageError('--tyrant-allow-root only makes sense with --tyrant');
  if (opts.tyrant && vassalSources.length > 0) throw usageError('--tyrant cannot be used with --vassals etcd://…: tyrant mode runs each vassal as the owner of its file, and an etcd key has no owner');
  if (opts.tyrant && process.getuid?.() !== 0) throw usageError('--tyrant needs the emperor to run as root: it starts each vassal as the owner of its file');
  // Loaded only to run the daemon: every other command (status, logs …) starts without the
  // daemon's modules (pino, prom-client, the watcher), which took most of a CLI call's start-up.
  const { runDaemon } = await import('../../daemon/run-daemon.js');
  const code = await runDaemon(opts);
  // Every vassal is stopped: nothing the emperor started may keep it alive any longer.
  process.exit(code);
}
