// `emperor --vassals DIR [...]` (also `emperor run --vassals DIR`): runs the emperor daemon.
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDuration } from '../../config/duration.js';
import type { DaemonOptions } from '../../daemon/daemon-options.js';
import { runDaemon } from '../../daemon/run-daemon.js';
import { lookupGroup } from '../../lib/accounts.js';
import { parseEtcdUrl } from '../../lib/etcd-url.js';
import { connectionOf } from '../connection.js';
import { usageError } from '../exit-codes.js';
import { resolveControlPath, resolveRunDir } from '../run-dir.js';

interface DaemonFlags {
  vassals?: string;
  vassalWrapper: string;
  throttle: number;
  maxThrottle: number;
  requiredHeartbeat: number;
  logFormat?: 'json' | 'pretty';
  logLevel: string;
  tyrant?: boolean;
  tyrantAllowRoot?: boolean;
  controlGroup?: string;
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
  $ emperor --vassals /etc/emperor/vassals --fleet etcd://10.0.0.5:2379,10.0.0.6:2379 --node web-1

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

// Adds the daemon's options (the run-dir and control options are added separately).
export function addDaemonOptions(cmd: Command): Command {
  return cmd
    .option('--vassals <dir>', 'directory of vassal files to watch (required to run the daemon)')
    .option('--vassal-wrapper <path>', 'program that runs uWSGI vassals', 'uwsgi')
    .addOption(durationFlag('--throttle <duration>', "first respawn delay once a vassal's restart burst is used up (doubles each time)", '1s'))
    .addOption(durationFlag('--max-throttle <duration>', 'largest respawn delay', '60s'))
    .addOption(durationFlag('--required-heartbeat <duration>', 'silence after which a heartbeating uWSGI vassal is hung', '30s'))
    .option('--log-format <format>', 'json or pretty (default: pretty when stderr is a terminal, else json)', logFormatOption)
    .option('--log-level <level>', 'trace, debug, info, warn, error or fatal', 'info')
    .option('--tyrant', "run each vassal as the owner of its file (uWSGI's tyrant mode; the emperor must be root)")
    .option('--tyrant-allow-root', 'with --tyrant, let files owned by root run as root')
    .option('--control-group <group>', 'let this group use the control socket (mode 0660), e.g. for `emperor status` without root')
    .option('--fleet <url>', 'join the fleet of emperors on this etcd cluster: etcd://HOST:PORT[,HOST:PORT…]')
    .option('--node <name>', "this emperor's name in the fleet (default: the host name)")
    .option('--fleet-prefix <prefix>', 'etcd key prefix of the fleet (several fleets may share one etcd)', '/emperor/')
    .addOption(durationFlag('--fleet-ttl <duration>', 'lease TTL in the fleet: a dead node\'s fleet singletons start elsewhere after it (whole seconds, at least 2s)', '10s'));
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

// Checks the vassals directory, resolves the options and runs the daemon until it stops.
export async function runDaemonCommand(cmd: Command): Promise<number> {
  const flags = cmd.opts<DaemonFlags>();
  if (!flags.vassals) throw usageError('missing --vassals DIR: the directory of vassal files to run (see `emperor --help`)');
  const vassalsDir = resolve(flags.vassals);
  const st = await stat(vassalsDir).catch(() => undefined);
  if (!st) throw usageError(`--vassals ${flags.vassals}: no such directory`);
  if (!st.isDirectory()) throw usageError(`--vassals ${flags.vassals}: not a directory`);
  const conn = connectionOf(cmd);
  const runDir = resolveRunDir({ flag: conn.runDir });
  const opts: DaemonOptions = {
    vassalsDir,
    runDir,
    controlPath: resolveControlPath(runDir, conn.control),
    vassalWrapper: flags.vassalWrapper,
    throttleMs: flags.throttle,
    maxThrottleMs: flags.maxThrottle,
    requiredHeartbeatMs: flags.requiredHeartbeat,
    logFormat: flags.logFormat ?? (process.stderr.isTTY ? 'pretty' : 'json'),
    logLevel: flags.logLevel,
    tyrant: flags.tyrant === true,
    tyrantAllowRoot: flags.tyrantAllowRoot === true,
    controlGroupId: controlGroupId(flags.controlGroup),
    fleet: fleetOptions(flags),
  };
  if (opts.tyrantAllowRoot && !opts.tyrant) throw usageError('--tyrant-allow-root only makes sense with --tyrant');
  if (opts.tyrant && process.getuid?.() !== 0) throw usageError('--tyrant needs the emperor to run as root: it starts each vassal as the owner of its file');
  const code = await runDaemon(opts);
  // Every vassal is stopped: nothing the emperor started may keep it alive any longer.
  process.exit(code);
}
