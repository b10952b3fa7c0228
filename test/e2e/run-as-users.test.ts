// Vassals as other users, checked on the kernel's own view of each instance (/proc/PID/status,
// limits, environ): real users and groups are created for the file and removed after it. Needs root.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { Emperor, emperorPool, FOREVER, nodeVassal, REPO } from '../helpers/emperor.js';
import { request } from '../helpers/http.js';
import { procEnv, execed, procIdentity, procLimit, requireRoot, SystemAccounts, type TestGroup, type TestUser } from '../helpers/system-accounts.js';
import { waitFor } from '../helpers/wait-for.js';

const DEMO = join(REPO, 'vassals.example', 'apps', 'demo-server.js');

const accounts = new SystemAccounts();
let extra: TestGroup;
let galaxy: TestUser;
let other: TestUser;

beforeAll(() => {
  requireRoot('running vassals as other users');
  extra = accounts.group('www');
  galaxy = accounts.user('gx', { groups: [extra] });
  other = accounts.user('ot');
});
afterAll(() => accounts.removeAll());

const pool = emperorPool();
afterEach(async () => {
  expect(await pool.cleanupAll()).toEqual([]);
});

// An emperor whose temp dir other users may enter (mkdtemp makes it 0700).
async function openEmperor(args: string[] = []): Promise<Emperor> {
  const em = pool.fresh();
  chmodSync(em.dir, 0o755);
  return em.start({ args });
}

// A port below 1024 that nothing listens on, so only root can bind it.
async function privilegedPort(): Promise<number> {
  for (let port = 900 + Math.floor(Math.random() * 100); port > 600; port -= 7) {
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below 1024 on 127.0.0.1');
}

describe('user, group, umask and limits (emperor as root)', () => {
  test('the instance runs with the user\'s uid, primary gid and supplementary groups, its HOME/USER/LOGNAME/SHELL, the umask and the limits', async () => {
    const em = await openEmperor();
    em.write('who.yml', nodeVassal(FOREVER, `  user: ${galaxy.name}\n  umask: "027"\n`));
    // Node raises its own soft open-file limit to the hard one at start-up: the limits are read
    // from a program that leaves them as it found them.
    em.write('lim.yml', `emperor:\n  command: [sleep, infinity]\n  user: ${galaxy.name}\n  limits: { nofile: "1000:2000", core: unlimited, nproc: 500 }\n`);
    const s = await em.waitRunning('who');
    const pid = await execed(s.pid!);
    expect(procIdentity(pid)).toEqual({ uid: galaxy.uid, gid: galaxy.gid, groups: [galaxy.gid, extra.gid].sort((a, b) => a - b), umask: '0027' });
    const lim = await execed((await em.waitRunning('lim')).pid!, '/usr/bin/sleep');
    expect(procIdentity(lim).uid).toBe(galaxy.uid);
    expect(procLimit(lim, 'Max open files')).toEqual({ soft: '1000', hard: '2000' });
    expect(procLimit(lim, 'Max core file size')).toEqual({ soft: 'unlimited', hard: 'unlimited' });
    expect(procLimit(lim, 'Max processes')).toEqual({ soft: '500', hard: '500' });
    const env = procEnv(pid);
    expect([env.HOME, env.USER, env.LOGNAME, env.SHELL]).toEqual([galaxy.home, galaxy.name, galaxy.name, '/bin/sh']);
    // The pid the emperor watches is the program itself: prlimit and setpriv exec'ed it.
    expect(execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).trim()).toBe('node');
  });

  test('an instance running as another user can open its /dev/stdout and /dev/stderr', async () => {
    const em = await openEmperor();
    const log = join(em.dir, 'devout.log');
    em.write('devout.yml', `emperor:\n  command: "echo out-as-$(id -un) > /dev/stdout; echo err-as-$(id -un) > /dev/stderr; exec sleep infinity"\n  user: ${galaxy.name}\n  logto: ${log}\n`);
    await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes(`stderr: err-as-${galaxy.name}`), { message: 'both lines in the file' });
    expect(readFileSync(log, 'utf8')).toContain(`stdout: out-as-${galaxy.name}`);
  });

  test('`group` sets the primary group, numbers work as names do, and the vassal\'s env wins over the password database', async () => {
    const em = await openEmperor();
    em.write('num.yml', nodeVassal(FOREVER, `  user: ${galaxy.uid}\n  group: ${extra.name}\n  env: { HOME: /srv/galaxy }\n`));
    const s = await em.waitRunning('num');
    const id = procIdentity(await execed(s.pid!));
    expect([id.uid, id.gid]).toEqual([galaxy.uid, extra.gid]);
    expect(id.groups).toEqual([galaxy.gid, extra.gid].sort((a, b) => a - b));
    expect(procEnv(s.pid!).HOME).toBe('/srv/galaxy');
  });

  test('an unknown user or group marks only that vassal broken, naming it', async () => {
    const em = await openEmperor();
    em.write('nouser.yml', nodeVassal(FOREVER, '  user: no-such-user-here\n'));
    em.write('nogroup.yml', nodeVassal(FOREVER, `  user: ${galaxy.name}\n  group: no-such-group-here\n`));
    em.write('fine.yml', nodeVassal(FOREVER, `  user: ${other.name}\n`));
    const u = await em.waitStatus('nouser', (x) => x.state === 'broken', 'broken');
    expect(u.error).toMatch(/emperor\.user: .*no-such-user-here/);
    const g = await em.waitStatus('nogroup', (x) => x.state === 'broken', 'broken');
    expect(g.error).toMatch(/emperor\.group: .*no-such-group-here/);
    const fine = await em.waitRunning('fine');
    expect(procIdentity(await execed(fine.pid!)).uid).toBe(other.uid);
  });

  test('the emperor binds a port below 1024 and a unix socket for nginx before the unprivileged instance starts; the instance serves both', async () => {
    const em = await openEmperor();
    const port = await privilegedPort();
    const sock = join(em.dir, 'web.sock');
    em.write('web.yml', [
      'emperor:',
      `  command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(DEMO)}]`,
      `  user: ${galaxy.name}`,
      '  ready: notify',
      `  sockets: { http: "127.0.0.1:${port}" }`,
      '',
    ].join('\n'));
    em.write('unix.yml', [
      'emperor:',
      `  command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(DEMO)}]`,
      `  user: ${galaxy.name}`,
      '  ready: notify',
      `  sockets: { http: { address: "unix:${sock}", owner: ${galaxy.name}, group: ${extra.name}, mode: "0660" } }`,
      '',
    ].join('\n'));
    const web = await em.waitRunning('web');
    const who = (await request({ port, path: '/whoami' })).json<{ pid: number }>();
    expect(who.pid).toBe(web.pid);
    expect(procIdentity(await execed(web.pid!)).uid).toBe(galaxy.uid);

    const unix = await em.waitRunning('unix');
    const st = statSync(sock);
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([galaxy.uid, extra.gid, 0o660]);
    expect((await request({ socketPath: sock, path: '/whoami' })).json<{ pid: number }>().pid).toBe(unix.pid);
  });

  test('the stand-in of a dance runs as the same user', async () => {
    const em = await openEmperor();
    const port = await privilegedPort();
    em.write('app.yml', [
      'emperor:',
      `  command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(DEMO)}]`,
      `  user: ${galaxy.name}`,
      '  ready: notify',
      '  reload: dance',
      `  sockets: { http: "127.0.0.1:${port}" }`,
      '  standin: { env: { JOB_HANDLERS: "0", DEMO_STARTUP_DELAY_MS: "1500" } }',
      '',
    ].join('\n'));
    await em.waitRunning('app');
    const dance = em.api<{ ok: boolean }>('/vassals/app/dance', 'POST');
    const standin = await waitFor(async () => (await em.status('app'))?.instances.find((i) => i.role === 'standin' && i.pid !== null), { message: 'stand-in spawned' });
    const standinId = procIdentity(await execed(standin.pid!));
    expect([standinId.uid, standinId.gid]).toEqual([galaxy.uid, galaxy.gid]);
    expect((await dance).body.ok).toBe(true);
  });
});

describe('an emperor that is not root', () => {
  test('runs vassals as its own user, and marks a vassal that names another user broken', async () => {
    const em = pool.fresh();
    chownSync(em.dir, galaxy.uid, galaxy.gid);
    chownSync(em.vassals, galaxy.uid, galaxy.gid);
    await em.start({ prefix: ['setpriv', '--reuid', String(galaxy.uid), '--regid', String(galaxy.gid), '--init-groups', '--'] });
    em.write('self.yml', nodeVassal(FOREVER, `  user: ${galaxy.name}\n`));
    em.write('root.yml', nodeVassal(FOREVER, '  user: root\n'));
    const self = await em.waitRunning('self');
    expect(procIdentity(await execed(self.pid!)).uid).toBe(galaxy.uid);
    const root = await em.waitStatus('root', (x) => x.state === 'broken', 'broken');
    expect(root.error).toContain(`emperor.user: only root can run a vassal as another user: this emperor runs as ${galaxy.name} (uid ${galaxy.uid}), got 'root'`);
  });
});

describe('the control socket for an admin group', () => {
  test('--control-group makes the socket 0660 and its directory 0750 of that group: a member runs `emperor status`, anyone else is refused', async () => {
    const em = await openEmperor(['--control-group', extra.name]);
    em.write('a.yml', nodeVassal(FOREVER));
    await em.waitRunning('a');
    const sock = statSync(em.control);
    expect([sock.gid, sock.mode & 0o777]).toEqual([extra.gid, 0o660]);
    const dir = statSync(em.runDir);
    expect([dir.gid, dir.mode & 0o777]).toEqual([extra.gid, 0o750]);

    const as = (user: TestUser): string[] => ['setpriv', '--reuid', String(user.uid), '--regid', String(user.gid), '--init-groups', '--', process.execPath, join(REPO, 'bin', 'emperor.js'), 'status', '--control', em.control];
    const [cmd = '', ...args] = as(galaxy);
    expect(execFileSync(cmd, args, { encoding: 'utf8' })).toMatch(/\ba\b.*running/);
    const [cmd2 = '', ...args2] = as(other);
    let refused = '';
    try {
      execFileSync(cmd2, args2, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      refused = String((error as { stderr?: string }).stderr);
    }
    expect(refused).toMatch(/permission denied|EACCES/i);
  });
});
