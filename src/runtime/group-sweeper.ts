// Waits for the process groups (and cgroups) of exited instance leaders to empty, for all of
// them at once. One timer for every waiting group, not one per instance: with thousands of
// instances stopping together a per-instance 20 ms /proc scan kept the event loop busy for
// good (each scan reads every process's stat, so N stopping groups cost N × processes reads
// per tick). Here a tick asks the kernel first (kill(-pgid, 0), cgroup.events: one syscall or
// one small read per group), and scans /proc once per tick only for the groups the kernel
// still reports, which may hold nothing but zombies. Ticks back off while nothing changes.
import { readdirSync } from 'node:fs';
import type { Clock } from './clock.js';
import { cgroupPopulated, cgroupProcs, describeProcs, killCgroup, removeCgroup, signalCgroup } from './cgroups.js';
import { readProcStat, signalGroup } from './process-group.js';

export interface GroupWait {
  readonly pgid: number;
  readonly cgroup: string | null;
  /** Processes still there this long after the leader exited are SIGKILLed. */
  readonly stopTimeoutMs: number;
  /** Named in a warning when something of the instance outlived its leader. */
  readonly leftBehind: (description: string) => void;
  /** The group and cgroup are empty (the cgroup is removed first). */
  readonly done: () => void;
}

interface Pending {
  readonly w: GroupWait;
  readonly start: number;
  readonly killAt: number;
  warned: boolean;
}

/** Processes of the instance still there this long after its leader exited are named in a warning. */
export const LEFT_BEHIND_AFTER_MS = 100;
const FIRST_TICK_MS = 20;
const MAX_TICK_MS = 500;

export class GroupSweeper {
  readonly #clock: Clock;
  readonly #pending = new Set<Pending>();
  #timer: NodeJS.Timeout | null = null;
  #tickMs = FIRST_TICK_MS;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** How many groups are being waited for (for tests and metrics). */
  get size(): number {
    return this.#pending.size;
  }

  // Called when the leader has exited (and was reaped): done() fires once nothing is left,
  // synchronously when the group is already empty, as it is for most instances.
  wait(w: GroupWait): void {
    if (!kernelSaysAlive(w)) {
      finish(w);
      return;
    }
    const start = this.#clock();
    this.#pending.add({ w, start, killAt: start + w.stopTimeoutMs, warned: false });
    signalGroup(w.pgid, 'SIGTERM');
    if (w.cgroup) signalCgroup(w.cgroup, 'SIGTERM');
    // A new stray group is news: look again soon even if the sweeper had backed off.
    this.#tickMs = FIRST_TICK_MS;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer !== null || this.#pending.size === 0) return;
    let delay = this.#tickMs;
    const now = this.#clock();
    // Never sleep past a warning or kill deadline.
    for (const p of this.#pending) {
      const next = p.warned ? p.killAt : Math.min(p.killAt, p.start + LEFT_BEHIND_AFTER_MS);
      delay = Math.min(delay, Math.max(1, next - now));
    }
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#sweep();
    }, delay);
  }

  #sweep(): void {
    const before = this.#pending.size;
    const maybe: Pending[] = [];
    for (const p of this.#pending) {
      if (kernelSaysAlive(p.w)) maybe.push(p);
      else this.#finish(p);
    }
    // kill(-pgid, 0) also succeeds for a group of zombies: one /proc pass decides for all.
    const live = maybe.length > 0 ? liveMembersByGroup(new Set(maybe.map((p) => p.w.pgid))) : new Map<number, number[]>();
    const now = this.#clock();
    for (const p of maybe) {
      const inGroup = live.get(p.w.pgid) ?? [];
      const inCgroup = p.w.cgroup !== null && cgroupPopulated(p.w.cgroup);
      if (inGroup.length === 0 && !inCgroup) {
        this.#finish(p);
        continue;
      }
      if (!p.warned && now - p.start >= LEFT_BEHIND_AFTER_MS) {
        p.warned = true;
        const members = p.w.cgroup ? [...new Set([...inGroup, ...cgroupProcs(p.w.cgroup)])] : inGroup;
        p.w.leftBehind(describeProcs(members));
      }
      if (now >= p.killAt) {
        signalGroup(p.w.pgid, 'SIGKILL');
        if (p.w.cgroup) killCgroup(p.w.cgroup);
      }
    }
    // Back off while groups linger (a stop timeout of seconds needs no 20 ms look).
    this.#tickMs = this.#pending.size < before ? FIRST_TICK_MS : Math.min(MAX_TICK_MS, this.#tickMs * 2);
    this.#schedule();
  }

  #finish(p: Pending): void {
    this.#pending.delete(p);
    finish(p.w);
  }
}

function finish(w: GroupWait): void {
  if (w.cgroup) removeCgroup(w.cgroup);
  w.done();
}

// The cheap answer: no process in the group (ESRCH) and an unpopulated cgroup means gone.
function kernelSaysAlive(w: GroupWait): boolean {
  return signalGroup(w.pgid, 0) || (w.cgroup !== null && cgroupPopulated(w.cgroup));
}

// Live (non-zombie) processes of the given groups, from one pass over /proc.
function liveMembersByGroup(pgids: ReadonlySet<number>): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const st = readProcStat(pid);
    if (!st || !pgids.has(st.pgrp) || st.state === 'Z' || st.state === 'X') continue;
    const list = out.get(st.pgrp);
    if (list) list.push(pid);
    else out.set(st.pgrp, [pid]);
  }
  return out;
}
