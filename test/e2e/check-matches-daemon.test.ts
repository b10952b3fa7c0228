// `emperor check` tells the truth: for one directory of good and bad files, the files it fails
// are exactly the vassals the daemon marks broken, and every problem it names is the daemon's.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VassalStatus } from '../../src/core/status.js';
import { ensureBuilt, runCli } from '../cli/helpers/run-cli.js';
import { Emperor, FOREVER, nodeVassal } from '../helpers/emperor.js';
import { waitFor } from '../helpers/wait-for.js';

// Each makes its vassal broken, for a different reason.
const BROKEN: Record<string, string> = {
  'typo.yml': nodeVassal(FOREVER, '  stop-timout: 5s\n'),
  'top-level.yml': `command: [${JSON.stringify(process.execPath)}, -e, "1"]\n`,
  'no-program.yml': 'emperor:\n  command: [no-such-program-xyz, --serve]\n',
  'no-cwd.yml': nodeVassal(FOREVER, '  cwd: /nonexistent/emperor-dir\n'),
  'bad-socket.yml': nodeVassal(FOREVER, '  sockets: { http: "localhost:8080" }\n'),
  'bad-regex.yml': nodeVassal(FOREVER, '  ready: "log: (unclosed"\n'),
  'bad-restart.yml': nodeVassal(FOREVER, '  restart: sometimes\n'),
  'bad-standin.yml': nodeVassal(FOREVER, '  reload: dance\n  standin: { cwd: missing }\n'),
  'not-yaml.yml': 'emperor:\n  command: [node\n',
};
const GOOD: Record<string, string> = {
  'web.yml': nodeVassal(FOREVER),
  'shell.ini': '[emperor]\ncommand = exec sleep 1000; echo never # all one shell command, as uWSGI reads it\n',
  'python.yml': 'emperor:\n  command: [python3, -c, "import time; print(\'up\', flush=True); time.sleep(1000)"]\n  ready: "log: up"\n',
};

let em: Emperor;

beforeAll(async () => {
  ensureBuilt();
  em = new Emperor();
  for (const [file, text] of Object.entries({ ...BROKEN, ...GOOD })) em.write(file, text);
  mkdirSync(join(em.vassals, 'subdir.yml'), { recursive: true }); // a directory: never a vassal
  writeFileSync(join(em.vassals, 'notes.txt'), 'not a vassal');
}, 60_000);

afterAll(async () => {
  expect(await em.cleanup()).toEqual([]);
});

interface CheckJson {
  ok: boolean;
  files: { file: string; name: string; ok: boolean; errors: { file: string; key: string; message: string }[]; warnings: string[] }[];
}

describe('emperor check and the daemon agree', () => {
  test('the files check fails are the vassals the daemon marks broken, for the same reasons', async () => {
    const r = await runCli(['check', '--json', '--vassals', em.vassals]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as CheckJson;
    const failed = report.files.filter((f) => !f.ok).map((f) => f.file.slice(em.vassals.length + 1)).sort();
    expect(failed).toEqual(Object.keys(BROKEN).sort());
    expect(report.files.filter((f) => f.ok).map((f) => f.file.slice(em.vassals.length + 1)).sort()).toEqual(Object.keys(GOOD).sort());

    await em.start();
    let states = '';
    const fleet = await waitFor(async () => {
      const list = (await em.api<{ vassals: VassalStatus[] }>('/vassals')).body.vassals;
      states = list.map((s) => `${s.name}=${s.state}`).join(' ');
      const settled = list.length === Object.keys({ ...BROKEN, ...GOOD }).length && list.every((s) => s.state === 'broken' || s.state === 'running');
      return settled ? list : undefined;
    }, { message: 'every vassal broken or running', timeout: 30_000 }).catch((err: Error) => {
      throw new Error(`${err.message}; states: ${states}`);
    });
    const broken = fleet.filter((s) => s.state === 'broken').map((s) => s.file.slice(em.vassals.length + 1)).sort();
    expect(broken).toEqual(failed);
    // Every problem check names for a file is in the daemon's error for that vassal.
    for (const f of report.files.filter((x) => !x.ok)) {
      const status = fleet.find((s) => s.file === f.file);
      for (const e of f.errors) expect(status?.error).toContain(e.message);
    }
  }, 60_000);

  test('a second file with the same vassal name is reported, as the daemon breaks it', async () => {
    const dir = join(em.dir, 'dups');
    mkdirSync(dir);
    writeFileSync(join(dir, 'app.ini'), '[emperor]\ncommand = sleep 1000\n');
    writeFileSync(join(dir, 'app.yml'), 'emperor:\n  command: [sleep, "1000"]\n');
    const r = await runCli(['check', '--vassals', dir]);
    expect(r).toMatchObject({ code: 1, stdout: `${join(dir, 'app.ini')}: ok\n${join(dir, 'app.yml')}: the vassal name "app" is already used by ${join(dir, 'app.ini')}; rename or remove one of them\n` });
  });

  test('warnings do not fail a file: a Python program with a log probe and buffered output is warned about', async () => {
    const r = await runCli(['check', join(em.vassals, 'python.yml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('warning: ');
    expect(r.stdout).toContain('emperor.ready: a log readiness probe on a Python program whose output is buffered');
  });
});
