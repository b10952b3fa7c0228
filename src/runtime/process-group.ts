// Signalling and inspecting process groups. Instances are group leaders (spawned detached),
// so a group id is the leader's pid.
import { readdirSync, readFileSync } from 'node:fs';

// Sends a signal to every process of the group; false when the group is already gone.
export function signalGroup(pgid: number, signal: string | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

export interface ProcStat {
  readonly pid: number;
  readonly state: string;
  readonly pgrp: number;
  /** Start time in clock ticks since boot: with the pid, it identifies a process across pid reuse. */
  readonly startTime: number;
  /** utime + stime, in clock ticks. */
  readonly cpuTicks: number;
  readonly rssPages: number;
}

// Reads /proc/PID/stat; undefined when the process does not exist.
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseProcStat(pid, text);
}

// The fields of a /proc/PID/stat text that the emperor uses.
export function parseProcStat(pid: number, text: string): ProcStat {
  // The command name (field 2) may contain spaces and parentheses: split after its last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: rest[0] ?? '?',
    pgrp: Number(rest[2]),
    startTime: Number(rest[19]),
    cpuTicks: Number(rest[11]) + Number(rest[12]),
    rssPages: Number(rest[21]),
  };
}

// Whether the process exists and is not a zombie (pid 1 does not always reap orphans).
export function isAlive(pid: number): boolean {
  const st = readProcStat(pid);
  return st !== undefined && st.state !== 'Z' && st.state !== 'X';
}

// Live (non-zombie) members of a process group.
export function groupMembers(pgid: number): number[] {
  if (!signalGroup(pgid, 0)) return [];
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const st = readProcStat(pid);
    if (st && st.pgrp === pgid && st.state !== 'Z' && st.state !== 'X') members.push(pid);
  }
  return members;
}
