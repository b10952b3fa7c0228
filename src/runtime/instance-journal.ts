// Crash safety: an append-only journal in the run directory of the process groups this
// emperor started. If the emperor is SIGKILLed, the next one on the same run directory stops
// what was left behind before starting anything, so no instance ever runs twice.
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupMembers, readProcStat, signalGroup } from './process-group.js';
import type { Clock } from './clock.js';

interface Entry {
  readonly vassal: string;
  readonly generation: number;
  readonly pid: number;
  readonly startTime: number;
  readonly stopSignal: string;
}

export interface InstanceJournal {
  started(vassal: string, generation: number, pid: number, stopSignal: string): void;
  ended(pid: number): void;
}

const COMPACT_EVERY = 5000;

// Opens the journal for this emperor (call after leftovers are dealt with). A write that fails
// (a full or read-only run dir) is reported, not thrown: the instance runs all the same, and
// only a crash of the emperor before the next good write would leave it unrecorded.
export function openJournal(runDir: string, onWriteError: (err: Error, vassal: string | null) => void): InstanceJournal {
  const file = join(runDir, 'instances.journal');
  const live = new Map<number, Entry>();
  let lines = 0;
  writeFileSync(file, '');
  const compact = (): void => {
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, [...live.values()].map((e) => JSON.stringify({ op: '+', ...e }) + '\n').join(''));
    renameSync(tmp, file);
    lines = live.size;
  };
  const append = (record: object, vassal: string | null): void => {
    try {
      appendFileSync(file, JSON.stringify(record) + '\n');
      if (++lines > COMPACT_EVERY && lines > 4 * live.size) compact();
    } catch (err) {
      onWriteError(err as Error, vassal);
    }
  };
  return {
    started(vassal, generation, pid, stopSignal) {
      const entry = { vassal, generation, pid, startTime: readProcStat(pid)?.startTime ?? 0, stopSignal };
      live.set(pid, entry);
      append({ op: '+', ...entry }, vassal);
    },
    ended(pid) {
      const entry = live.get(pid);
      if (!entry) return;
      live.delete(pid);
      append({ op: '-', pid }, entry.vassal);
    },
  };
}

export interface Leftover {
  readonly vassal: string;
  readonly pid: number;
  readonly members: number[];
}

// Finds the instances a previous emperor left running and stops them: the stop signal first,
// SIGKILL after `graceMs`. Pids are checked against their recorded start time, so a reused pid is never touched.
export async function stopLeftovers(runDir: string, graceMs: number, clock: Clock): Promise<Leftover[]> {
  const entries = readEntries(join(runDir, 'instances.journal'));
  const found: Leftover[] = [];
  for (const e of entries) {
    const leader = readProcStat(e.pid);
    const leaderIsOurs = leader !== undefined && leader.startTime === e.startTime && leader.state !== 'Z';
    const members = groupMembers(e.pid).filter((pid) => (readProcStat(pid)?.startTime ?? 0) >= e.startTime);
    if (!leaderIsOurs && members.length === 0) continue;
    found.push({ vassal: e.vassal, pid: e.pid, members });
    signalGroup(e.pid, e.stopSignal ?? 'SIGTERM');
  }
  const deadline = clock() + graceMs;
  while (found.some((l) => groupMembers(l.pid).length > 0) && clock() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const l of found) if (groupMembers(l.pid).length > 0) signalGroup(l.pid, 'SIGKILL');
  return found;
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
