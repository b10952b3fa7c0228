// The composition root of the emperor daemon: it builds every part once, wires them together
// and owns the process-wide concerns (run-dir lock, leftovers of a crashed emperor, signals,
// the control socket). Nothing else constructs runtime parts or reaches across layers.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { loadOptionsOf } from '../config/spec.js';
import { stateOf } from '../core/snapshot.js';
import type { FleetVassal, VassalSourceInfo, VassalStateName, VassalStatus } from '../core/status.js';
import type { Vassal } from '../core/vassal.js';
import { startControlServer, type ControlServer } from '../control/server.js';
import { EmperorError } from '../errors.js';
import { systemClock, type Clock } from '../runtime/clock.js';
import { openCgroups, removeCgroup } from '../runtime/cgroups.js';
import { Dispatcher } from '../runtime/dispatcher.js';
import { effectInterpreter } from '../runtime/effect-interpreter.js';
import { EventBus } from '../runtime/event-bus.js';
import { FileTracker } from '../runtime/file-tracker.js';
import type { EtcdFleet } from '../runtime/fleet/etcd-fleet.js';
import { soloClaims } from '../runtime/fleet/fleet-port.js';
import { socketBinder } from '../runtime/held-sockets.js';
import { GroupUsageSampler } from '../runtime/group-usage.js';
import { InstanceWiring } from '../runtime/instance-wiring.js';
import { openJournal, stopLeftovers } from '../runtime/instance-journal.js';
import { ListenHelper } from '../runtime/listen-helper.js';
import { createLogger } from '../runtime/logger.js';
import { raiseOwnFdLimit, warnIfShortOfFds } from './fd-budget.js';
import { ReadModel } from '../runtime/read-model.js';
import { lockRunDir, type LockOwner } from '../runtime/run-dir-lock.js';
import { OperatorStops } from '../runtime/operator-stops.js';
import { openSystemdChannel, ServiceNotifier, SYSTEMD_NOTIFY_VARIABLES } from '../runtime/sd-notify.js';
import { SocketHolder } from '../runtime/socket-holder.js';
import { lockVassalsDir } from '../runtime/vassals-dir-lock.js';
import { VassalsDirWatch } from '../runtime/vassals-dir-watch.js';
import type { EtcdVassalSource } from '../runtime/etcd-vassals/etcd-vassal-source.js';
import { HostProblems } from '../runtime/host-problems.js';
import type { DaemonOptions } from './daemon-options.js';
import { Supervisor } from './supervisor.js';

const LEFTOVER_GRACE_MS = 10_000;
/** EX_SOFTWARE: the daemon stopped because of a bug of its own. */
const EXIT_INTERNAL_ERROR = 70;

// Runs the emperor until SIGTERM/SIGINT; resolves with the process exit code.
export async function runDaemon(opts: DaemonOptions): Promise<number> {
  const emperorLog = createLogger(opts.logFormat, opts.logLevel, opts.logFile);
  const log = emperorLog.log;
  raiseOwnFdLimit(log);
  const clock = systemClock;
  // systemd's variables are for the emperor alone (sd_notify's unset_environment): vassals
  // inherit the environment, and one that saw NOTIFY_SOCKET would talk to systemd itself.
  const systemdEnv = { NOTIFY_SOCKET: process.env.NOTIFY_SOCKET, WATCHDOG_USEC: process.env.WATCHDOG_USEC, WATCHDOG_PID: process.env.WATCHDOG_PID };
  for (const name of SYSTEMD_NOTIFY_VARIABLES) delete process.env[name];
  let lock;
  let vassalsLock;
  try {
    lock = lockRunDir(opts.runDir);
    try {
      // etcd sources take no lock: every host of a fleet follows the same prefix.
      vassalsLock = opts.vassalsDir === null ? null : lockVassalsDir(opts.vassalsDir, opts.runDir, (message) => log.warn(message));
    } catch (err) {
      lock.release();
      throw err;
    }
  } catch (err) {
    log.error({ code: (err as EmperorError).code }, (err as Error).message);
    return 1;
  }
  if (vassalsLock?.stale) log.warn({ ownerPid: vassalsLock.stale.pid, runDir: vassalsLock.stale.runDir }, `took over the vassals directory from an emperor that died (pid ${vassalsLock.stale.pid})`);

  const leftovers = await stopLeftovers(opts.runDir, LEFTOVER_GRACE_MS, clock);
  for (const l of leftovers) log.warn({ vassal: l.vassal, instancePid: l.pid }, `stopped an instance left behind by a previous emperor (pid ${l.pid})`);
  await stopLeftoversOfDeadOwner(vassalsLock?.stale, opts.runDir, log, clock);
  const problems = new HostProblems();
  // Set before the dispatcher exists: the journal may fail at its first write.
  let retryWaiting = (): void => undefined;
  const journal = openJournal(opts.runDir, {
    onWriteError: (err, vassal) => {
      log.error({ err, vassal, runDir: opts.runDir }, `cannot write the instance journal in the run dir ${opts.runDir}: ${err.message}; no new instance starts until it can (retried every second)`);
      problems.set('run-dir', `run dir not writable: ${opts.runDir}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
    },
    onWritable: () => {
      log.warn({ runDir: opts.runDir }, `the instance journal in ${opts.runDir} can be written again: starting what waited`);
      problems.set('run-dir', null);
      retryWaiting();
    },
  });

  const bus = new EventBus(log);
  const dispatcher = new Dispatcher({ clock, backoff: { baseMs: opts.throttleMs, maxMs: opts.maxThrottleMs } });
  const report = dispatcher.dispatch.bind(dispatcher);
  const listenHelper = new ListenHelper();
  const sockets = new SocketHolder(socketBinder(listenHelper), report);
  const contain = openCgroups(process.pid);
  log.info(contain.cgroups ? `containment: ${contain.why}` : `containment: process groups only (${contain.why}): a process that leaves its instance's group (setsid, setpgid) is not stopped with it`);
  const instances = new InstanceWiring({ log, runDir: opts.runDir, journal, clock, report, socketFds: (name) => sockets.fds(name), cgroups: contain.cgroups });
  // In a fleet, claims of fleet singletons go to etcd; alone, they are never granted.
  // Loaded only in a fleet: etcd3 and gRPC cost every CLI call a large share of its start-up.
  const fleet: EtcdFleet | null = opts.fleet
    ? new (await import('../runtime/fleet/etcd-fleet.js')).EtcdFleet(opts.fleet, { clock, report, vassals: () => read.list().map(fleetVassal), dance: (name, step) => supervisor.danceHere(name, step), log })
    : null;
  const interpret = effectInterpreter({
    instances,
    sockets,
    bus,
    fleet: fleet?.claims ?? soloClaims(report),
    failed: (name, effect, err) => {
      log.error({ vassal: name, err }, `${name}: ${effect.type} failed: ${err.message}`);
      if (effect.type === 'spawn') report(name, { type: 'spawn-failed', generation: effect.generation, error: `cannot start: ${err.message}`, notFound: false });
      else if (effect.type === 'hold-sockets') report(name, { type: 'sockets-failed', key: effect.key, error: err.message });
    },
  });
  const systemd = openSystemdChannel(systemdEnv, process.pid, (message) => log.warn(message));
  retryWaiting = () => {
    for (const name of dispatcher.names()) dispatcher.dispatch(name, { type: 'retry' });
  };
  const notifier = systemd ? new ServiceNotifier(systemd, () => fleetStates(dispatcher.vassals(), clock()), () => problems.list()) : null;
  if (notifier) problems.onChange(() => notifier.changed());
  const stops = new OperatorStops(opts.vassalsDir, opts.runDir, (err) => log.error({ err }, `operator stops: ${err.message}`));
  // Every change of a vassal's state comes with effects: the notifier and the memory of the
  // operator's stops look after them (both cheap when nothing changed).
  dispatcher.setInterpreter((name, vassal, effect) => {
    interpret(name, vassal, effect);
    stops.observe(vassal);
    notifier?.changed();
  });
  const read = new ReadModel(dispatcher, instances, clock);
  const reopenLogs = (): { files: number; emperorLog: boolean } => {
    const reopened = { files: instances.reopenLogs(), emperorLog: emperorLog.reopen() };
    log.info(reopened, `reopened ${reopened.files} vassal log file(s)${reopened.emperorLog ? ` and ${opts.logFile}` : ''}`);
    return reopened;
  };
  /** etcd prefixes whose keys are vassal files, started once the directory is watched. */
  const sources: EtcdVassalSource[] = [];
  const supervisor = new Supervisor(
    { dispatcher, bus, read, usage: new GroupUsageSampler(clock), reopenLogs, problems: () => problems.list(), fleet, sources: () => sources.map((s) => s.info()) },
    { pid: process.pid, startedAt: clock(), vassalsDir: opts.vassalsDir, version: readVersion() },
  );
  const tracker = new FileTracker(stops.marking(dispatcher), loadOptionsOf(opts), log);

  let control: ControlServer;
  try {
    control = await startControlServer(supervisor, { socketPath: opts.controlPath, logger: log, groupId: opts.controlGroupId, http: opts.http });
  } catch (err) {
    log.error({ code: (err as EmperorError).code }, (err as Error).message);
    notifier?.close();
    await fleet?.close();
    vassalsLock?.release();
    lock.release();
    return 1;
  }
  let watcher: VassalsDirWatch | null = null;
  try {
    if (opts.vassalsDir !== null) {
      watcher = await VassalsDirWatch.start(
        { dir: opts.vassalsDir, missingGraceMs: opts.missingDirGraceMs, rescanEveryMs: opts.rescanIntervalMs, clock, log, onProblem: (p) => problems.set('vassals-dir', p) },
        tracker,
      );
    }
  } catch (err) {
    log.error({ vassalsDir: opts.vassalsDir }, `cannot watch the vassals directory: ${(err as Error).message}`);
    await control.close();
    notifier?.close();
    await fleet?.close();
    vassalsLock?.release();
    lock.release();
    return 1;
  }
  // Loaded only with an etcd source, like the fleet (etcd3 and gRPC are slow to import).
  if (opts.vassalSources.length > 0) {
    const { EtcdVassalSource } = await import('../runtime/etcd-vassals/etcd-vassal-source.js');
    for (const s of opts.vassalSources) {
      const onChange = (info: VassalSourceInfo): void => problems.set(`vassals-source ${info.url}`, info.connected ? null : `vassals source ${info.url} disconnected`);
      sources.push(new EtcdVassalSource({ ...s, clock, log, onChange }, tracker));
    }
  }
  // The directory's files first (they own their names at start), then etcd's keys, without
  // waiting for etcd: an unreachable etcd must not keep the directory's vassals from starting.
  for (const source of sources) source.start();
  // Everything found at start: the directory's files, and each etcd source's keys once it was
  // read (or failed to be: READY=1 does not wait for etcd).
  const loadedAtStart = Promise.all(sources.map((s) => s.firstAttempt())).then(() => tracker.settled());
  // READY=1 once every file found at start has reached the fleet and none of them is starting.
  if (notifier) void loadedAtStart.then(() => notifier.loaded());
  void loadedAtStart.then(() => warnIfShortOfFds(dispatcher.vassals(), log));
  // Only when every source was read: a vassal of an etcd that is down is not known yet.
  void loadedAtStart.then(() => {
    if (sources.every((s) => s.info().connected)) stops.prune((name) => dispatcher.has(name));
  });
  const watching = [opts.vassalsDir, ...sources.map((s) => s.url)].filter((w) => w !== null).join(' and ');
  log.info({ vassalsDir: opts.vassalsDir, vassalSources: sources.map((s) => s.url), runDir: opts.runDir, control: control.path, node: opts.fleet?.node }, `emperor ${readVersion()} watching ${watching}${opts.fleet ? ` as node ${opts.fleet.node} of the fleet at ${opts.fleet.hosts.join(',')} (prefix ${opts.fleet.prefix})` : ''}`);

  const exitCode = await new Promise<number>((resolve) => {
    let stopping = false;
    let code = 0;
    const allStopped = (): void => {
      if (read.liveInstances() > 0) return;
      stopSubscription();
      resolve(code);
    };
    let stopSubscription: () => void = () => undefined;
    const shutdown = (why: string, exitCode: number): void => {
      if (stopping) {
        log.warn(`${why} again: SIGKILL to every instance`);
        instances.killAll();
        return;
      }
      stopping = true;
      code = exitCode;
      notifier?.stopping();
      log.info(`${why}: stopping every vassal`);
      void watcher?.close();
      for (const source of sources) source.close();
      stopSubscription = bus.subscribe((e) => {
        if (e.type === 'exited' || e.type === 'spawn-failed') allStopped();
      });
      // Dependents first (the reverse of the start order `after` gives): each stops after them.
      dispatcher.dispatchInStopOrder(dispatcher.names(), { type: 'shutdown' });
      allStopped();
    };
    process.on('SIGTERM', () => shutdown('SIGTERM', 0));
    process.on('SIGINT', () => shutdown('SIGINT', 0));
    // logrotate's postrotate: SIGUSR1 (or `emperor reopen-logs`) reopens every log file.
    process.on('SIGUSR1', () => reopenLogs());
    process.on('SIGHUP', () => {
      if (stopping) return;
      log.info('SIGHUP: rescanning the vassals directory (and reading every etcd source again) and reopening the log files');
      for (const source of sources) source.rescan();
      reopenLogs();
      notifier?.reloading();
      try {
        watcher?.rescan();
      } catch (err) {
        log.error({ err }, 'rescan failed');
      }
      if (notifier) void tracker.settled().then(() => notifier.loaded());
    });
    // A bug of the emperor's own must not leave it running in an unknown state, nor leave its
    // instances behind: stop them the normal way and exit non-zero.
    const fatal = (kind: string) => (err: unknown): void => {
      log.fatal({ err }, `internal error (${kind}): stopping every vassal and exiting; please report it`);
      shutdown('internal error', EXIT_INTERNAL_ERROR);
    };
    process.on('uncaughtException', fatal('uncaught exception'));
    process.on('unhandledRejection', fatal('unhandled rejection'));
  });

  dispatcher.dispose();
  tracker.dispose();
  journal.close();
  if (contain.cgroups) removeCgroup(contain.cgroups.base);
  // Every instance is gone: the claims and the registration are handed back at once.
  await fleet?.close();
  sockets.releaseAll();
  await instances.closeLogFiles();
  listenHelper.close();
  await control.close();
  notifier?.close();
  vassalsLock?.release();
  lock.release();
  log.info('every vassal stopped; bye');
  return exitCode;
}

// A vassal as this node publishes it to the fleet.
function fleetVassal(v: VassalStatus): FleetVassal {
  return { name: v.name, state: v.state, pid: v.pid, note: v.note };
}

// The state of every vassal, for the notifier's counts.
function* fleetStates(vassals: Iterable<Vassal>, now: number): Generator<VassalStateName> {
  for (const v of vassals) yield stateOf(v, now);
}

// The lock of a dead emperor was taken over: if it ran with another run directory, its instances
// are recorded in that directory's journal, which stopLeftovers(opts.runDir) did not read. They
// are stopped too (before anything starts, so no vassal runs twice), unless a live emperor
// has that run directory now: it stopped them when it started.
async function stopLeftoversOfDeadOwner(dead: LockOwner | undefined, runDir: string, log: Logger, clock: Clock): Promise<void> {
  if (!dead?.runDir || resolve(dead.runDir) === resolve(runDir) || !existsSync(dead.runDir)) return;
  let lock;
  try {
    lock = lockRunDir(dead.runDir);
  } catch (err) {
    log.info({ runDir: dead.runDir }, `not looking for leftovers in ${dead.runDir}: ${(err as Error).message}`);
    return;
  }
  try {
    const leftovers = await stopLeftovers(dead.runDir, LEFTOVER_GRACE_MS, clock);
    for (const l of leftovers) log.warn({ vassal: l.vassal, instancePid: l.pid, runDir: dead.runDir }, `stopped an instance left behind by the dead emperor (pid ${dead.pid}) of this vassals directory, from its run dir ${dead.runDir}`);
  } finally {
    lock.release();
  }
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

