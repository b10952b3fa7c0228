import { describe, test, expect, beforeAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, ROOT, runCli } from './helpers/run-cli.js';

describe('CLI usage, help and version', () => {
  beforeAll(() => {
    ensureBuilt();
  });

  test('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  test('--help explains the concepts and lists the commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const word of ['vassal files', 'run dir', 'restart dance', 'status', 'restart-dance', 'check', 'metrics', 'Exit status']) {
      expect(r.stdout).toContain(word);
    }
  });

  test('every command has --help with examples', async () => {
    const commands = ['run', 'status', 'start', 'stop', 'reload', 'restart', 'restart-dance', 'logs', 'check', 'metrics', 'top', 'events', 'completion', 'reopen-logs'];
    for (const cmd of commands) {
      const r = await runCli([cmd, '--help']);
      expect({ cmd, code: r.code }).toEqual({ cmd, code: 0 });
      expect(r.stdout).toMatch(/Examples?:/);
    }
  }, 120_000); // one Node start-up per command: 0.4 s each idle, several seconds on a loaded machine

  test('usage errors exit 2 with a message', async () => {
    const cases: [string[], RegExp][] = [
      [['--bogus'], /unknown option '--bogus'/],
      [['statsu'], /unknown command 'statsu' \(did you mean status\?\)/],
      [['stop'], /name the vassal\(s\) to stop, or use --all/],
      [['stop', 'web', '--all'], /give NAMEs or --all, not both/],
      [['completion', 'fish'], /expected bash or zsh, got 'fish'/],
      [['restart-dance', '--fleet'], /--fleet rolls one vassal: name exactly one/],
      [['restart-dance', 'web', 'db', '--fleet'], /--fleet rolls one vassal: name exactly one/],
      [['restart-dance', 'web', '--json'], /--json goes with --fleet/],
      [['logs', 'web', '-n', 'many'], /expected a whole number of lines, got 'many'/],
      [['logs'], /name a vassal, or use --all for every vassal/],
      [['logs', 'web', '--since', 'yesterday'], /expected how long ago, like 10m or 2h/],
      [['logs', 'web', '--retry'], /--retry only makes sense with -f/],
      [['--vassals', '.', '--throttle', 'soon'], /expected a duration like 10s, 500ms or 2m/],
      [['--vassals', '.', '--log-format', 'xml'], /expected json or pretty, got 'xml'/],
      [[], /missing --vassals DIR/],
      [['--vassals', 'etcd://127.0.0.1:2379'], /expected etcd:\/\/HOST:PORT\[,HOST:PORT…\]\/PREFIX\//],
      [['--vassals', '.', '--vassals', '..'], /one vassals directory at most/],
      [['--vassals', 'etcd://127.0.0.1:2379/v/', '--vassals', 'etcd://127.0.0.1:2379/v'], /given twice/],
      [['--vassals', 'etcd://127.0.0.1:2379/v/', '--tyrant'], /--tyrant cannot be used with --vassals etcd/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
    }
  }, 120_000);

  test('a missing or non-directory --vassals exits 2 before anything runs', async () => {
    const missing = await runCli(['--vassals', '/nonexistent/vassals']);
    expect(missing).toMatchObject({ code: 2, stderr: 'emperor: --vassals /nonexistent/vassals: no such directory\n' });
    const file = await runCli(['run', '--vassals', 'package.json']);
    expect(file).toMatchObject({ code: 2, stderr: 'emperor: --vassals package.json: not a directory\n' });
  });
});
