// Crash safety: an append-only journal in the run directory of the process groups this
// emperor started. If the emperor is SIGKILLed, the next one on the same run directory stops
// what was left behind before starting anything, so no instance ever runs twice.
import { appendFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cgroupPopulated, cgroupProcs, killCgroup, removeCgroup, signalCgroup } from './cgroups.js';
import { groupMembers, readProcStat, signalGroup } from './process-group.js';
import type { Clock } from './clock.js';

interface Entry {
  readonly vassal: string;
  readonly generation: number;
  readonly pid: number;
  readonly startTime: number;
  readonly stopSignal: string;
  /** The instance's cgroup: processes that left its group are found there. */
  readonly cgroup?: string;
}

export interface InstanceJournal {
  /** Records a new instance; false when the record could not be written (the instance must not stay). */
  started(vassal: string, generation: number, pid: number, stopSignal: string, cgroup: string | null): boolean;
  ended(pid: number): void;
  /** Why the journal cannot be written now (`ENOSPC: …`), or null when it can. */
  readonly failure: string | null;
  /** Stops retrying (at exit). */
  close(): void;
}

export interface JournalHooks {
  /** A write failed (logged by the caller); `vassal` is the instance it was about. */
  readonly onWriteError: (err: Error, vassal: string | null) => void;
  /** The journal could be written again after a failure: what waited for it may go on. */
  readonly onWritable: () => void;
}

const COMPACT_EVERY = 5000;
const RETRY_EVERY_MS = 1000;

// Opens the journal for this emperor (call after leftovers are dealt with). A write that fails
// (a full, read-only or failing run dir) is reported, marks the journal failing and is retried
// every second by rewriting the journal whole from memory; while it fails, nothing new may be
// spawned (the caller asks `failure` first), because a crash would leave it unrecorded.
export function openJournal(runDir: string, hooks: JournalHooks): InstanceJournal {
  const file = join(runDir, 'instances.journal');
  const live = new Map<number, Entry>();
  let lines = 0;
  let failure: string | null = null;
  let retry: NodeJS.Timeout | null = null;
  const compact = (): void => {
    const tmp = `${file}.tmp`;
    try {
      writeFileSync(tmp, [...live.values()].map((e) => JSON.stringify({ op: '+', ...e }) + '\n').join(''));
      renameSync(tmp, file);
    } catch (err) {
      rmSync(tmp, { force: true }); // a partial copy would only take the space a retry needs
      throw err;
    }
    lines = live.size;
  };
  const failed = (err: Error, vassal: string | null): void => {
    const first = failure === null;
    failure = `${(err as NodeJS.ErrnoException).code ?? 'error'}: ${err.message}`;
    if (first) hooks.onWriteError(err, vassal);
    if (retry) return;
    retry = setInterval(() => {
      try {
        compact();
      } catch {
        return; // still failing: said once, tried again in a second
      }
      if (retry) clearInterval(retry);
      retry = null;
      failure = null;
      hooks.onWritable();
    }, RETRY_EVERY_MS);
    retry.unref();
  };
  const append = (record: object, vassal: string | null): boolean => {
    if (failure !== null) {
      failed(new Error(failure), vassal); // the retry rewrites the whole journal, this record included
      return false;
    }
    try {
      appendFileSync(file, JSON.stringify(record) + '\n');
      if (++lines > COMPACT_EVERY && lines > 4 * live.size) compact();
      return true;
    } catch (err) {
      // A short write may have left half a line: the retry rewrites the file whole.
      failed(err as Error, vassal);
      return false;
    }
  };
  try {
    writeFileSync(file, '');
  } catch (err) {
    failed(err as Error, null);
  }
  return {
    started(vassal, generation, pid, stopSignal, cgroup) {
      const entry = { vassal, generation, pid, startTime: readProcStat(pid)?.startTime ?? 0, stopSignal, ...(cgroup ? { cgroup } : {}) };
      if (append({ op: '+', ...entry }, vassal)) {
        live.set(pid, entry);
        return true;
      }
      return false;
    },
    ended(pid) {
      const entry = live.get(pid);
      if (!entry) return;
      live.delete(pid);
      append({ op: '-', pid }, entry.vassal);
    },
    get failure() {
      return failure;
    },
    close() {
      if (retry) clearInterval(retry);
      retry = null;
    },
  };
}

export interface Leftover {
  readonly vassal: string;
  readonly pid: number;
  readonly members: number[];
}

// Finds the instances a previous emperor left running and stops them: the stop signal first,
// SIGKILL after `graceMs`. Pids are checked against their recorded start time, so a reused pid
// is never touched; an instance's cgroup (when it had one) holds whatever left its group.
export async function stopLeftovers(runDir: string, graceMs: number, clock: Clock): Promise<Leftover[]> {
  const entries = readEntries(join(runDir, 'instances.journal'));
  const found: (Leftover & { readonly cgroup: string | null })[] = [];
  for (const e of entries) {
    const leader = readProcStat(e.pid);
    const leaderIsOurs = leader !== undefined && leader.startTime === e.startTime && leader.state !== 'Z';
    const members = groupMembers(e.pid).filter((pid) => (readProcStat(pid)?.startTime ?? 0) >= e.startTime);
    const cgroup = e.cgroup ?? null;
    const contained = cgroup !== null && cgroupPopulated(cgroup);
    if (!leaderIsOurs && members.length === 0) {
      if (contained) {
        found.push({ vassal: e.vassal, pid: e.pid, members: cgroupProcs(cgroup), cgroup });
        signalCgroup(cgroup, 'SIGTERM');
      } else if (cgroup) removeCgroup(cgroup);
      continue;
    }
    found.push({ vassal: e.vassal, pid: e.pid, members, cgroup });
    signalGroup(e.pid, e.stopSignal ?? 'SIGTERM');
    if (contained) signalCgroup(cgroup, (e.stopSignal ?? 'SIGTERM') as NodeJS.Signals);
  }
  const alive = (l: (typeof found)[number]): boolean => groupMembers(l.pid).length > 0 || (l.cgroup !== null && cgroupPopulated(l.cgroup));
  const deadline = clock() + graceMs;
  while (found.some(alive) && clock() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const l of found) {
    if (groupMembers(l.pid).length > 0) signalGroup(l.pid, 'SIGKILL');
    if (l.cgroup) killCgroup(l.cgroup);
  }
  for (const l of found) {
    if (!l.cgroup) continue;
    while (cgroupPopulated(l.cgroup) && clock() < deadline + graceMs) await new Promise((r) => setTimeout(r, 20));
    removeCgroup(l.cgroup);
    removeCgroup(dirname(l.cgroup)); // the dead emperor's directory, once empty
  }
  return found.map(({ vassal, pid, members }) => ({ vassal, pid, members }));
}

function readEntries(file: string): Entry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const live = new Map<number, Entry>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as { op: string } & Entry;
      if (r.op === '+') live.set(r.pid, r);
      else if (r.op === '-') live.delete(r.pid);
    } catch {
      // a line torn by the crash: the entries before it still count
    }
  }
  return [...live.values()];
}
