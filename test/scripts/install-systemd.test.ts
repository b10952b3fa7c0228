// scripts/install-systemd, run for real (as root: it sets owners) into temp destinations.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO } from '../helpers/emperor.js';

const SCRIPT = join(REPO, 'scripts', 'install-systemd');
const NOBODY = 65534;
const NOGROUP = 65534;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'emperor-install-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function install(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

// Owner, group and permission bits of a path under the temp root.
function owned(path: string): { uid: number; gid: number; mode: string } {
  const st = statSync(join(root, path));
  return { uid: st.uid, gid: st.gid, mode: (st.mode & 0o7777).toString(8).padStart(4, '0') };
}

const systemdAnalyze = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' }).stdout.trim();

describe('scripts/install-systemd (needs root: it sets owners)', () => {
  test('runs as root', () => {
    expect(process.getuid?.()).toBe(0);
  });

  test('installs both units with ExecStart at the given emperor and creates the directories with their owners and modes', () => {
    const r = install('--prefix', root, '--bin', BIN, '--instance', 'galaxy', '--log-owner', 'nobody');
    expect(r.out).toContain('--prefix given: not running systemctl daemon-reload');
    expect(r.status).toBe(0);
    for (const unit of ['emperor.service', 'emperor@.service']) {
      expect(owned(`etc/systemd/system/${unit}`)).toEqual({ uid: 0, gid: 0, mode: '0644' });
      const text = readFileSync(join(root, 'etc/systemd/system', unit), 'utf8');
      expect(text).toMatch(new RegExp(`^ExecStart=${BIN} --vassals `, 'm'));
      expect(text).toMatch(/^Type=notify$/m);
      expect(text).toMatch(/^KillMode=mixed$/m);
    }
    expect(readFileSync(join(root, 'etc/systemd/system/emperor@.service'), 'utf8')).toContain('--vassals /etc/emperor/%i/vassals --run-dir /run/emperor-%i');
    expect(owned('etc/emperor/vassals')).toEqual({ uid: 0, gid: 0, mode: '0755' });
    expect(owned('etc/emperor/galaxy/vassals')).toEqual({ uid: 0, gid: 0, mode: '0755' });
    expect(owned('run/emperor')).toEqual({ uid: 0, gid: 0, mode: '0700' });
    expect(owned('run/emperor-galaxy')).toEqual({ uid: 0, gid: 0, mode: '0700' });
    expect(owned('var/log/emperor')).toEqual({ uid: NOBODY, gid: NOGROUP, mode: '0755' });
  });

  test('is idempotent: a second run changes nothing, keeps an admin-tuned vassals dir and fixes the log dir', () => {
    expect(install('--prefix', root, '--bin', BIN).status).toBe(0);
    expect(owned('var/log/emperor')).toEqual({ uid: 0, gid: 0, mode: '0755' });
    chmodSync(join(root, 'etc/emperor/vassals'), 0o750);
    chmodSync(join(root, 'var/log/emperor'), 0o700);
    const again = install('--prefix', root, '--bin', BIN, '--log-owner', 'nobody:nogroup', '--log-mode', '0750');
    expect(again.status).toBe(0);
    expect(again.out).toContain(`up to date: ${root}/etc/systemd/system/emperor.service`);
    expect(again.out).toContain(`exists: ${root}/etc/emperor/vassals`);
    expect(owned('etc/emperor/vassals')).toEqual({ uid: 0, gid: 0, mode: '0750' });
    expect(owned('var/log/emperor')).toEqual({ uid: NOBODY, gid: NOGROUP, mode: '0750' });
  });

  test('--dest and --log-dir put the units and the log directory elsewhere', () => {
    const dest = join(root, 'units');
    const r = install('--prefix', join(root, 'p'), '--dest', dest, '--log-dir', '/srv/log', '--bin', BIN);
    expect(r.status).toBe(0);
    expect(owned('units/emperor.service').mode).toBe('0644');
    expect(owned('p/srv/log')).toEqual({ uid: 0, gid: 0, mode: '0755' });
    expect(owned('p/etc/emperor/vassals').mode).toBe('0755');
  });

  test('--help explains; bad arguments fail with 2 and say why', () => {
    const help = install('--help');
    expect(help.status).toBe(0);
    expect(help.out).toContain('Usage: scripts/install-systemd');
    expect(install('--bogus')).toEqual({ status: 2, out: expect.stringContaining('unknown argument: --bogus') });
    expect(install('--prefix', root, '--bin', BIN, '--log-owner', 'no-such-user-here')).toEqual({ status: 2, out: expect.stringContaining('no such user: no-such-user-here') });
    expect(install('--prefix', root, '--bin', 'relative/emperor')).toEqual({ status: 2, out: expect.stringContaining('give an absolute path') });
    expect(install('--prefix', root, '--bin', BIN, '--instance', '../x')).toEqual({ status: 2, out: expect.stringContaining('--instance ../x') });
  });

  (systemdAnalyze ? test : test.skip)('systemd-analyze verify accepts the installed units (skipped where systemd-analyze is missing)', () => {
    expect(install('--prefix', root, '--bin', BIN).status).toBe(0);
    const units = join(root, 'etc/systemd/system');
    // A template is verified through an instance of it.
    spawnSync('cp', [join(units, 'emperor@.service'), join(units, 'emperor@galaxy.service')]);
    const r = spawnSync(systemdAnalyze, ['verify', join(units, 'emperor.service'), join(units, 'emperor@galaxy.service')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
