// Composition root of the emperor daemon: run-dir lock, leftovers of a crashed emperor,
// the fleet, the directory watcher, the control socket and the emperor's own signals.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startControlServer, type ControlServer } from '../control/server.js';
import { EmperorError } from '../errors.js';
import type { DaemonOptions } from './daemon-options.js';
import { FileTracker } from './file-tracker.js';
import { Fleet } from './fleet.js';
import { openJournal, stopLeftovers } from './instance-journal.js';
import { createLogger } from './logger.js';
import { lockRunDir } from './run-dir-lock.js';
import { Supervisor } from './supervisor.js';
import { watchVassals } from './vassal-watcher.js';

const LEFTOVER_GRACE_MS = 10_000;

// Runs the emperor until SIGTERM/SIGINT; resolves with the process exit code.
export async function runDaemon(opts: DaemonOptions): Promise<number> {
  const log = createLogger(opts.logFormat, opts.logLevel);
  let lock;
  try {
    lock = lockRunDir(opts.runDir);
  } catch (err) {
    log.error({ code: (err as EmperorError).code }, (err as Error).message);
    return 1;
  }
  process.on('uncaughtException', (err) => log.error({ err }, 'internal error (the emperor keeps running): please report it'));
  process.on('unhandledRejection', (err) => log.error({ err }, 'internal error (unhandled rejection): please report it'));

  const leftovers = await stopLeftovers(opts.runDir, LEFTOVER_GRACE_MS);
  for (const l of leftovers) log.warn({ vassal: l.vassal, pid: l.pid }, `stopped an instance left behind by a previous emperor (pid ${l.pid})`);
  const journal = openJournal(opts.runDir);

  const fleet = new Fleet({ log, journal, runDir: opts.runDir, policy: { baseMs: opts.throttleMs, maxMs: opts.maxThrottleMs, healthyUptimeMs: opts.healthyUptimeMs } });
  const supervisor = new Supervisor(fleet, { pid: process.pid, startedAt: Date.now(), vassalsDir: opts.vassalsDir, version: readVersion() });
  const tracker = new FileTracker(fleet, { vassalWrapper: opts.vassalWrapper, requiredHeartbeatMs: opts.requiredHeartbeatMs }, log);

  let control: ControlServer;
  try {
    control = await startControlServer(supervisor, { socketPath: opts.controlPath, logger: log });
  } catch (err) {
    log.error({ code: (err as EmperorError).code }, (err as Error).message);
    lock.release();
    return 1;
  }
  const watcher = watchVassals(opts.vassalsDir, (e) => tracker.onEvent(e), (err) => log.error({ err }, 'watcher error'));
  await watcher.ready;
  log.info({ vassalsDir: opts.vassalsDir, runDir: opts.runDir, control: control.path }, `emperor ${readVersion()} watching ${opts.vassalsDir}`);

  await new Promise<void>((resolve) => {
    let signals = 0;
    const shutdown = (sig: string): void => {
      signals += 1;
      if (signals > 1) {
        log.warn(`${sig} again: SIGKILL to every instance`);
        fleet.killAll();
        return;
      }
      log.info(`${sig}: stopping every vassal`);
      supervisor.markShuttingDown();
      void watcher.close();
      for (const name of fleet.names()) fleet.dispatch(name, { type: 'shutdown' });
      const poll = setInterval(() => {
        if (fleet.liveInstances() > 0) return;
        clearInterval(poll);
        resolve();
      }, 10);
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGHUP', () => {
      log.info('SIGHUP: rescanning the vassals directory');
      try {
        tracker.rescan(opts.vassalsDir);
      } catch (err) {
        log.error({ err }, 'rescan failed');
      }
    });
  });

  fleet.dispose();
  await control.close();
  lock.release();
  log.info('every vassal stopped; bye');
  return 0;
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
