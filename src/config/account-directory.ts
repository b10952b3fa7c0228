// The password and group databases as the loader asks them: who `user:`, `group:` and a file's
// owner are. Answers are kept for a moment, so that a directory of vassals that all name the
// same user asks NSS once, not once per file.
import { execFileSync } from 'node:child_process';
import { lookupGroup, lookupUser } from '../lib/accounts.js';
import type { GroupAccount, UserAccount } from '../lib/accounts.js';
import type { AccountKey } from './written-vassal.js';

export interface AccountDirectory {
  user(key: AccountKey): UserAccount | undefined;
  group(key: AccountKey): GroupAccount | undefined;
  /** The gids initgroups gives the user: its primary group and every group that lists it. */
  groupsOf(user: UserAccount): readonly number[];
}

/** Long enough to cover a burst of loads (1000 files dropped at once), short enough that a new user is seen at the next edit. */
const CACHE_MS = 2_000;

// The system's databases through NSS (getent, id), cached for CACHE_MS
export function systemAccounts(now: () => number = Date.now): AccountDirectory {
  const cache = new Map<string, { at: number; value: unknown }>();
  const cached = <T>(key: string, look: () => T): T => {
    const hit = cache.get(key);
    if (hit && now() - hit.at < CACHE_MS) return hit.value as T;
    const value = look();
    cache.set(key, { at: now(), value });
    return value;
  };
  return {
    user: (key) => cached(`u:${key}`, () => lookupUser(key)),
    group: (key) => cached(`g:${key}`, () => lookupGroup(key)),
    groupsOf: (user) => cached(`G:${user.name}`, () => groupList(user)),
  };
}

const sharedAccounts = systemAccounts();

/** One directory for every load in this process, so that its cache is shared. */
export function defaultAccounts(): AccountDirectory {
  return sharedAccounts;
}

function groupList(user: UserAccount): number[] {
  // `id -G NAME` asks getgrouplist(3), the list initgroups(3) installs.
  try {
    const out = execFileSync('id', ['-G', '--', user.name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [user.gid];
  }
}
