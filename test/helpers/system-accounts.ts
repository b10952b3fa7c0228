// Real system users and groups for the tests that run vassals as other users. Names come from
// one random namespace per test file, and every account made is removed again by `removeAll`.
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export interface TestUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export interface TestGroup {
  readonly name: string;
  readonly gid: number;
}

// Root is needed to make users; under CI a test that needs it fails instead of being skipped.
export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) {
    throw new Error(`${what} needs root (it creates system users with useradd); run the tests as root, as CI does`);
  }
}

export class SystemAccounts {
  readonly #prefix = `emp${randomBytes(3).toString('hex')}`;
  readonly #users: string[] = [];
  readonly #groups: string[] = [];

  group(suffix: string): TestGroup {
    const name = `${this.#prefix}${suffix}`;
    execFileSync('groupadd', ['--system', name]);
    this.#groups.push(name);
    return { name, gid: Number(getent('group', name)[2]) };
  }

  // A system user with its own primary group, a home directory that need not exist, and /bin/sh.
  user(suffix: string, opts: { groups?: readonly TestGroup[]; home?: string } = {}): TestUser {
    const name = `${this.#prefix}${suffix}`;
    const home = opts.home ?? `/home/${name}`;
    const extra = opts.groups && opts.groups.length > 0 ? ['--groups', opts.groups.map((g) => g.name).join(',')] : [];
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', home, '--shell', '/bin/sh', ...extra, name]);
    this.#users.push(name);
    const [, , uid = '', gid = ''] = getent('passwd', name);
    return { name, uid: Number(uid), gid: Number(gid), home };
  }

  // Removes every user (and its own group) and group made here; safe to call twice.
  removeAll(): void {
    for (const name of this.#users.splice(0)) execFileSync('userdel', [name], { stdio: 'ignore' });
    for (const name of this.#groups.splice(0)) execFileSync('groupdel', [name], { stdio: 'ignore' });
  }
}

function getent(db: 'passwd' | 'group', key: string): string[] {
  return execFileSync('getent', [db, key], { encoding: 'utf8' }).trim().split(':');
}

// Waits until `pid` runs `program` itself: a fresh instance is prlimit, then setpriv, then
// sh (umask) for a moment before each execs the next, and only the last has the final identity.
// The kernel switches /proc/PID/exe before it lays out the new stack, so for a moment the new
// program shows an empty environ: it counts as exec'ed once its environment is there too.
export async function execed(pid: number, program: string = process.execPath): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    let exe = '';
    let env = '';
    try {
      exe = readlinkSync(`/proc/${pid}/exe`);
      env = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      // not readable yet, or gone
    }
    if (exe === program && env !== '') return pid;
    if (Date.now() > deadline) throw new Error(`pid ${pid} still runs ${exe || 'nothing readable'}, not ${program}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The identity of a live process, as the kernel sees it.
export function procIdentity(pid: number): { uid: number; gid: number; groups: number[]; umask: string | undefined } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): string => status.match(new RegExp(`^${name}:\\s*(.*)$`, 'm'))?.[1]?.trim() ?? '';
  return {
    uid: Number(field('Uid').split(/\s+/)[0]),
    gid: Number(field('Gid').split(/\s+/)[0]),
    groups: field('Groups').split(/\s+/).filter(Boolean).map(Number).sort((a, b) => a - b),
    umask: field('Umask') || undefined,
  };
}

// The soft and hard value of one limit from /proc/PID/limits ("Max open files  1024  4096  files").
export function procLimit(pid: number, label: string): { soft: string; hard: string } {
  const text = readFileSync(`/proc/${pid}/limits`, 'utf8');
  const line = text.split('\n').find((l) => l.startsWith(label));
  if (!line) throw new Error(`no limit "${label}" in /proc/${pid}/limits`);
  const [soft = '', hard = ''] = line.slice(label.length).trim().split(/\s+/);
  return { soft, hard };
}

// The environment of a live process.
export function procEnv(pid: number): Record<string, string> {
  const raw = readFileSync(`/proc/${pid}/environ`, 'utf8');
  return Object.fromEntries(raw.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}
