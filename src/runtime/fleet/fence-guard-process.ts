// The fence guard: a separate process (its own session) that SIGKILLs the process groups of a
// fleet singleton when the claim's deadline passes without the emperor moving it. It exists
// for the case the emperor cannot act itself: frozen (SIGSTOP, a long pause), or dead.
//
// Its input, one line each on stdin, with deadlines on CLOCK_MONOTONIC in nanoseconds
// (process.hrtime.bigint(), the same clock in every process of this host):
//   deadline NAME NS    the claim of NAME is good until NS
//   group NAME PGID     PGID runs under the claim of NAME (no deadline yet: killed at once)
//   release NAME        NAME's groups are gone or no longer the guard's business
// When stdin ends (the emperor died), every group still listed is killed at once.
// It writes `killed NAME PGID` for each group it kills.
import { readProcStat } from '../process-group.js';
import { createInterface } from 'node:readline';

interface Guarded {
  deadline: bigint | null;
  /** pgid -> start time of its leader when listed (to skip a reused pid); null: leader unknown. */
  readonly groups: Map<number, number | null>;
}

/** Groups already reported killed: SIGKILL is repeated until they are gone, the report is not. */
const reported = new Set<number>();

const TICK_MS = 20;
const claims = new Map<string, Guarded>();

function leaderStart(pid: number): number | null {
  return readProcStat(pid)?.startTime ?? null;
}

// SIGKILLs the group unless its leader's pid now belongs to another process. While any member
// of the group lives, its id cannot be reused, so a gone leader still means our group.
function killGroup(name: string, pgid: number, start: number | null): boolean {
  const now = leaderStart(pgid);
  if (now !== null && start !== null && now !== start) return false;
  try {
    process.kill(-pgid, 'SIGKILL');
    if (!reported.has(pgid)) process.stdout.write(`killed ${encodeURIComponent(name)} ${pgid}\n`);
    reported.add(pgid);
    return true;
  } catch {
    return false; // ESRCH: the group is gone
  }
}

function of(name: string): Guarded {
  let g = claims.get(name);
  if (!g) {
    g = { deadline: null, groups: new Map() };
    claims.set(name, g);
  }
  return g;
}

function onLine(line: string): void {
  const [verb, encoded, arg] = line.trim().split(' ');
  if (!encoded) return;
  const name = decodeURIComponent(encoded);
  if (verb === 'deadline' && arg) of(name).deadline = BigInt(arg);
  else if (verb === 'group' && arg) of(name).groups.set(Number(arg), leaderStart(Number(arg)));
  else if (verb === 'release') claims.delete(name);
  tick();
}

function tick(): void {
  const now = process.hrtime.bigint();
  for (const [name, g] of claims) {
    if (g.groups.size === 0 || (g.deadline !== null && now < g.deadline)) continue;
    for (const [pgid, start] of g.groups) {
      if (killGroup(name, pgid, start)) continue;
      g.groups.delete(pgid);
      reported.delete(pgid);
    }
  }
}

function killEverything(): void {
  for (const [name, g] of claims) for (const [pgid, start] of g.groups) killGroup(name, pgid, start);
  process.exit(0);
}

// Only the emperor ends the guard (by closing stdin); a stray signal must not disarm it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);
process.stdout.on('error', () => undefined);
const input = createInterface({ input: process.stdin });
input.on('line', onLine);
input.on('close', killEverything);
setInterval(tick, TICK_MS);
