// The emperor's own open-file limit. Each instance costs the emperor about three descriptors
// (stdout, stderr unless merged, the readiness channel) plus its held sockets and log file, so a fleet of
// thousands outgrows the usual soft limit of 1024 long before the hard one. Node has no
// setrlimit, so prlimit(1) (util-linux) sets it on the emperor's own pid.
import { execFileSync } from 'node:child_process';
import { formatLimit, readFdLimit, type FdLimit } from '../lib/open-file-limit.js';

/** Descriptors one running vassal keeps open in the emperor, before its sockets and log file. */
const FDS_PER_VASSAL = 3;
/** The emperor's own: the control socket and its clients, watchers, its log, the journal. */
const FDS_RESERVED = 64;

export type RaiseResult =
  | { readonly raised: true; readonly before: FdLimit; readonly after: FdLimit }
  | { readonly raised: false; readonly limit: FdLimit; readonly why?: string };

// Raises the soft limit to the hard one, as systemd does for its own services since v240.
export function raiseFdLimit(pid: number = process.pid): RaiseResult {
  const before = readFdLimit(pid);
  if (before.soft >= before.hard) return { raised: false, limit: before };
  const hard = formatLimit(before.hard);
  try {
    execFileSync('prlimit', ['--pid', String(pid), `--nofile=${hard}:${hard}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { raised: false, limit: before, why: stderr || (error as Error).message };
  }
  return { raised: true, before, after: readFdLimit(pid) };
}

/** What of a vassal's spec costs the emperor descriptors (all unknown for a broken file). */
export interface FdCost {
  readonly sockets: number;
  readonly logFile: boolean;
  /** stderr shares the stdout pipe: one descriptor less. */
  readonly mergeStderr: boolean;
}

// The descriptors one running vassal keeps open in the emperor.
export function vassalFds(cost: FdCost): number {
  return FDS_PER_VASSAL - (cost.mergeStderr ? 1 : 0) + cost.sockets + (cost.logFile ? 1 : 0);
}

// How many descriptors the running vassals need (`vassalFds` added up), and whether the limit allows it.
export function fdShortfall(vassalsFds: number, limit: FdLimit): { readonly needed: number; readonly short: boolean } {
  const needed = FDS_RESERVED + vassalsFds;
  return { needed, short: needed > limit.soft };
}
