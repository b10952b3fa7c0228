// Tyrant mode (uWSGI's --emperor-tyrant): each vassal runs as the owner of its file, and every
// file that someone else could have written is refused. Real users, real files, real processes.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { chmodSync, chownSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Emperor, emperorPool, FOREVER, nodeVassal } from '../helpers/emperor.js';
import { execed, procIdentity, requireRoot, SystemAccounts, type TestGroup, type TestUser } from '../helpers/system-accounts.js';

const accounts = new SystemAccounts();
let galaxy: TestUser;
let other: TestUser;
let web: TestGroup;

beforeAll(() => {
  requireRoot('tyrant mode');
  web = accounts.group('web');
  galaxy = accounts.user('tg', { groups: [web] });
  other = accounts.user('to');
});
afterAll(() => accounts.removeAll());

const pool = emperorPool();
afterEach(async () => {
  expect(await pool.cleanupAll()).toEqual([]);
});

async function tyrant(args: string[] = []): Promise<Emperor> {
  const em = pool.fresh();
  chmodSync(em.dir, 0o755);
  mkdirSync(join(em.dir, 'staging'));
  return em.start({ args: ['--tyrant', ...args] });
}

// Puts a vassal file in place whole, already with its owner and mode (a chown after the write
// would first show the emperor a root-owned file).
function place(em: Emperor, name: string, text: string, owner: { uid: number; gid: number }, mode = 0o644): string {
  const staged = join(em.dir, 'staging', name);
  writeFileSync(staged, text);
  chownSync(staged, owner.uid, owner.gid);
  chmodSync(staged, mode);
  const file = join(em.vassals, name);
  renameSync(staged, file);
  return file;
}

async function brokenWith(em: Emperor, name: string, pattern: RegExp): Promise<void> {
  const s = await em.waitStatus(name, (x) => x.state === 'broken', 'broken');
  expect(s.error).toMatch(pattern);
  expect(s.pid).toBeNull();
}

describe('tyrant mode', () => {
  test('runs each vassal as the owner of its file, with the file\'s group and the owner\'s supplementary groups', async () => {
    const em = await tyrant();
    place(em, 'mine.yml', nodeVassal(FOREVER), { uid: galaxy.uid, gid: web.gid });
    place(em, 'theirs.yml', nodeVassal(FOREVER), other);
    const mine = await em.waitRunning('mine');
    expect(procIdentity(await execed(mine.pid!))).toMatchObject({ uid: galaxy.uid, gid: web.gid, groups: [galaxy.gid, web.gid].sort((a, b) => a - b) });
    const theirs = await em.waitRunning('theirs');
    expect(procIdentity(await execed(theirs.pid!))).toMatchObject({ uid: other.uid, gid: other.gid });
  });

  test('refuses a root-owned file, a file writable by group or others, a user or group other than the owner, and a port below 1024', async () => {
    const em = await tyrant();
    place(em, 'root.yml', nodeVassal(FOREVER), { uid: 0, gid: 0 });
    place(em, 'groupw.yml', nodeVassal(FOREVER), galaxy, 0o664);
    place(em, 'otherw.yml', nodeVassal(FOREVER), galaxy, 0o646);
    place(em, 'user.yml', nodeVassal(FOREVER, `  user: ${other.name}\n`), galaxy);
    place(em, 'group.yml', nodeVassal(FOREVER, `  group: ${other.name}\n`), galaxy);
    place(em, 'port.yml', nodeVassal(FOREVER, '  sockets: { http: "127.0.0.1:80" }\n'), galaxy);
    place(em, 'same.yml', nodeVassal(FOREVER, `  user: ${galaxy.name}\n`), galaxy);
    await brokenWith(em, 'root', /: owned by root: tyrant mode runs each vassal as the owner of its file/);
    await brokenWith(em, 'groupw', /writable by its group or others \(mode 0664\)/);
    await brokenWith(em, 'otherw', /writable by its group or others \(mode 0646\)/);
    await brokenWith(em, 'user', new RegExp(`emperor\\.user: tyrant mode runs this vassal as ${galaxy.name} .*a vassal file cannot name another user`));
    await brokenWith(em, 'group', /emperor\.group: tyrant mode runs this vassal with the group of its file/);
    await brokenWith(em, 'port', /emperor\.sockets\.http: tyrant mode keeps ports below 1024 for root's vassals/);
    // Naming the owner itself is no escalation.
    expect(procIdentity(await execed((await em.waitRunning('same')).pid!)).uid).toBe(galaxy.uid);
  });

  test('refuses a symlink whose owner is not its target\'s, and a vassals directory writable by others without the sticky bit; fixing either starts the vassal', async () => {
    const em = await tyrant();
    const elsewhere = join(em.dir, 'elsewhere');
    mkdirSync(elsewhere);
    const target = join(elsewhere, 'app.yml');
    writeFileSync(target, nodeVassal(FOREVER));
    chownSync(target, galaxy.uid, galaxy.gid);
    symlinkSync(target, join(em.vassals, 'link.yml')); // the link belongs to root
    await brokenWith(em, 'link', new RegExp(`a symlink owned by root \\(uid 0\\) to a file owned by ${galaxy.name}`));

    chmodSync(em.vassals, 0o777);
    place(em, 'open.yml', nodeVassal(FOREVER), galaxy);
    await brokenWith(em, 'open', /the vassals directory .* is writable by others without the sticky bit \(mode 0777\)/);
    chmodSync(em.vassals, 0o1777);
    place(em, 'open.yml', nodeVassal(FOREVER, '# fixed\n'), galaxy);
    expect(procIdentity(await execed((await em.waitRunning('open')).pid!)).uid).toBe(galaxy.uid);
  });

  test('--tyrant-allow-root runs root\'s files as root', async () => {
    const em = await tyrant(['--tyrant-allow-root']);
    place(em, 'root.yml', nodeVassal(FOREVER), { uid: 0, gid: 0 });
    expect(procIdentity(await execed((await em.waitRunning('root')).pid!)).uid).toBe(0);
  });
});
