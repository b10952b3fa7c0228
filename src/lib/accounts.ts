// Users and groups from the system's databases (files, LDAP, … through NSS), by name or number.
// `getent` asks NSS the way the C library does; reading /etc/passwd would miss directory users.
import { execFileSync } from 'node:child_process';

export interface UserAccount {
  readonly name: string;
  readonly uid: number;
  /** The primary group. */
  readonly gid: number;
  readonly home: string;
  readonly shell: string;
}

export interface GroupAccount {
  readonly name: string;
  readonly gid: number;
}

// The passwd entry of a user name or uid; undefined when there is none.
export function lookupUser(key: string | number): UserAccount | undefined {
  const fields = getent('passwd', key);
  if (!fields) return undefined;
  const [name = '', , uid = '', gid = '', , home = '', shell = ''] = fields;
  return { name, uid: Number(uid), gid: Number(gid), home, shell };
}

// The group entry of a group name or gid; undefined when there is none.
export function lookupGroup(key: string | number): GroupAccount | undefined {
  const fields = getent('group', key);
  if (!fields) return undefined;
  const [name = '', , gid = ''] = fields;
  return { name, gid: Number(gid) };
}

function getent(db: 'passwd' | 'group', key: string | number): string[] | undefined {
  const k = String(key);
  // a name starting with '-' would be read as an option
  if (k === '' || k.startsWith('-')) return undefined;
  try {
    const line = execFileSync('getent', [db, k], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
    return line ? line.split(':') : undefined;
  } catch {
    return undefined; // exit 2: no such entry
  }
}
