// Containment like systemd's: each instance in its own cgroup (v2), so processes that leave its
// process group (setsid, setpgid, a double fork) are still found, signalled and killed with it.
// Only root with a writable unified hierarchy can; otherwise instances are contained by their
// process group alone, and the emperor says so once at start.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Cgroups {
  /** The cgroup directory for one instance, created empty; null when it cannot be made (then the process group alone contains it). */
  create(vassal: string, generation: number, role: string): string | null;
  /** The emperor's own directory of instance cgroups, removed at exit once empty. */
  readonly base: string;
}

// Finds the unified (v2) hierarchy and makes the emperor's directory in it; null when that is
// not possible, with the reason.
export function openCgroups(emperorPid: number): { readonly cgroups: Cgroups | null; readonly why: string } {
  if (process.getuid?.() !== 0) return { cgroups: null, why: 'the emperor is not root' };
  const root = unifiedRoot();
  if (root === null) return { cgroups: null, why: 'no cgroup v2 (unified) hierarchy is mounted' };
  if (!existsSync(join(root, 'cgroup.procs'))) return { cgroups: null, why: `${root} has no cgroup.procs` };
  const base = join(root, `emperor-${emperorPid}`);
  try {
    mkdirSync(base, { recursive: true });
    if (!existsSync(join(base, 'cgroup.kill'))) {
      rmdirSync(base);
      return { cgroups: null, why: `the kernel has no cgroup.kill (Linux 5.14 or later) in ${root}` };
    }
  } catch (err) {
    return { cgroups: null, why: `cannot create ${base}: ${(err as Error).message}` };
  }
  return {
    why: `each instance runs in its own cgroup under ${base}`,
    cgroups: {
      base,
      create(vassal, generation, role) {
        const dir = join(base, `${vassal.replace(/[^A-Za-z0-9_.-]/g, '_')}.${generation}.${role}`);
        try {
          mkdirSync(dir);
          return dir;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EEXIST') return dir;
          return null;
        }
      },
    },
  };
}

// Where cgroup2 is mounted (the first such mount), from /proc/self/mountinfo.
function unifiedRoot(): string | null {
  try {
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const [mountFields, fsFields] = line.split(' - ');
      if (fsFields?.split(' ')[0] === 'cgroup2') return mountFields?.split(' ')[4] ?? null;
    }
  } catch {
    // no /proc
  }
  return null;
}

// The processes in the cgroup now (empty when it is gone).
export function cgroupProcs(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

// Whether any process is left in the cgroup (`populated 1` in cgroup.events).
export function cgroupPopulated(dir: string): boolean {
  try {
    return /^populated 1$/m.test(readFileSync(join(dir, 'cgroup.events'), 'utf8'));
  } catch {
    return false;
  }
}

// Sends a signal to every process in the cgroup.
export function signalCgroup(dir: string, signal: NodeJS.Signals): void {
  for (const pid of cgroupProcs(dir)) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }
}

// SIGKILL to everything in the cgroup at once, by the kernel (no pid can slip away by forking).
export function killCgroup(dir: string): void {
  try {
    writeFileSync(join(dir, 'cgroup.kill'), '1');
  } catch {
    signalCgroup(dir, 'SIGKILL');
  }
}

// Removes an empty cgroup (and its emperor's directory once that is empty too); false while populated.
export function removeCgroup(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

// What the processes are, for a warning: `pid (comm)`.
export function describeProcs(pids: readonly number[]): string {
  return pids
    .map((pid) => {
      try {
        return `${pid} (${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()})`;
      } catch {
        return String(pid);
      }
    })
    .join(', ');
}
