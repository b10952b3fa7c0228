// The emperor reads INI files the way uWSGI does: for tricky values, every section's entries
// are compared with what the real uwsgi binary lists with --show-config for the same file.
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readIniEntries } from '../../src/config/parse-ini.js';
import { requireUwsgi } from '../helpers/uwsgi.js';
import { loadSpec, useVassalDir } from './vassal-dir.js';

const vassals = useVassalDir();

const TRICKY = [
  '; a comment line',
  '# another one',
  '[uwsgi]',
  'foo = echo hi; sleep 100',
  'db = postgres://u:p#ss@h/db',
  '   # an indented comment',
  '\t; and one after a tab',
  'quoted = "a ; b # c"',
  "single = 'x'",
  'trailing = value   \t',
  '   spaced key   =   v  ',
  'eq = a=b=c',
  '==',
  'rep = 1',
  'rep = 2',
  'empty =',
  'bare',
  'crlf = x\r',
  'tab\t=\tt',
  'escaped = a\\;b\\#c',
  'list[] = one',
  'list[] = two',
  '',
  '[emperor]',
  'command = echo a; echo b # not a comment',
  'ready = log: listening on \\d+ ; port',
  'stop-timeout = 5',
  'stop-timeout = 7 ',
  '[emperor.env]',
  'URL = http://h/#frag',
  'EMPTY=',
  'SPACES =  inside  spaces  ',
  'QUOTED = "x"',
].join('\n');

// What uWSGI itself reads from one section of `file` (`[uwsgi]` by default), in order.
function uwsgiReading(uwsgi: string, file: string, section: string): string[] {
  // --need-app makes uWSGI exit right after printing its configuration (no app is loaded).
  const run = spawnSync(uwsgi, ['--ini', `${file}:${section}`, '--show-config', '--need-app'], { encoding: 'utf8', timeout: 20_000 });
  // uWSGI prints its configuration with its log, on stderr.
  const lines = `${run.stdout}${run.stderr}`.split('\n');
  const start = lines.indexOf('[uwsgi]');
  const end = lines.indexOf(';end of configuration');
  if (start === -1 || end === -1) throw new Error(`uwsgi printed no configuration:\n${run.stdout}${run.stderr}`);
  // First the --ini option itself, last the two options given on the command line.
  const shown = lines.slice(start + 1, end);
  expect(shown[0]).toBe(`ini = ${file}:${section}`);
  expect(shown.slice(-2)).toEqual(['show-config = true', 'need-app = true']);
  return shown.slice(1, -2);
}

function emperorReading(file: string, section: string): string[] {
  return readIniEntries(readFileSync(file, 'utf8'))
    .entries.filter((e) => e.section === section)
    .map((e) => `${e.key} = ${e.value}`);
}

describe('INI read the way uWSGI reads it', () => {
  test.each(['uwsgi', 'emperor', 'emperor.env'])('section [%s]: the same entries as `uwsgi --show-config`', async (section) => {
    const uwsgi = requireUwsgi();
    const file = await vassals.write('tricky.ini', TRICKY);
    const ours = emperorReading(file, section);
    expect(ours.length).toBeGreaterThan(2);
    expect(ours).toEqual(uwsgiReading(uwsgi, file, section));
  });

  test('the vassal built from the tricky file keeps inline ; and #, and quotes as written', async () => {
    const file = await vassals.write('tricky.ini', TRICKY);
    const spec = await loadSpec(file);
    expect(spec.process).toMatchObject({
      command: { kind: 'shell', script: 'echo a; echo b # not a comment' },
      ready: { kind: 'log', pattern: 'listening on \\d+ ; port' },
      stopTimeoutMs: 7000,
      env: { URL: 'http://h/#frag', EMPTY: '', SPACES: 'inside  spaces', QUOTED: '"x"' },
    });
  });
});
