// The import reads supervisord's INI dialect, `environment =` and %-expansion the way the real
// supervisor does: every case here is also given to Debian's supervisor package (python3) and
// the two readings must agree, failures included. (/usr/bin/python3: Debian's python, which has the package.)
import { describe, test, expect, beforeAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readSupervisordText, SupervisordConfig } from '../../src/import/supervisord/config-parser.js';
import { parseEnvironment } from '../../src/import/supervisord/environment.js';
import { percentFormat } from '../../src/import/supervisord/percent-format.js';

const INI = [
  '[program:a]\ncommand = echo hi; sleep 100\n',
  '[program:a]\ncommand = echo hi ; a comment\n',
  '[program:a]\ncommand = psql postgres://u:p#ss@h/db\nx = a #comment\ny = a\t;tab comment\n',
  '[program:a]\ncommand = python -c "print(1)"\n  --flag\n\n  --after-blank\nnext = 1\n',
  '[program:a]\ncommand: run --x=1\nKey_Upper = Value\nempty =\nspaced   =   trailing   \n',
  '[program:a]\ncommand = one\ncommand = two\n[program:b]\ncommand = b\n[program:a]\nuser = galaxy\n',
  '[DEFAULT]\nuser = shared\n[program:a]\ncommand = a\n[program:b]\ncommand = b\nuser = own\n',
  '; leading comment\n# another\n[program:a]\n  command = indented key\n  ; indented comment\nuser = x\n',
  '[program:a]\ncommand = a\n  # a comment line in a continuation\n  continued\n',
  'command = no section\n',
  '[program:a]\nthis line has no delimiter\n',
  '[program:a]\r\ncommand = crlf\r\n',
  '[program:a]\nenvironment = A="1",\n    B="2"\n',
];

const ENV = [
  'HOME="/srv/galaxy",VIRTUAL_ENV="/srv/galaxy/venv",PATH="/srv/galaxy/venv/bin:/usr/bin"',
  'A=1,B=2',
  "A='x y',B=\"z\"",
  'A="a,b", B=c',
  'A=a#b,C=d',
  'A=1 B=2',
  'URL="postgres://u:p@h/db?x=1"',
  'A=',
  'A="unterminated',
  'KEY=val-ue.1+2/(x):y',
  'A=""',
  'X=a$b',
];

const FMT: [string, Record<string, string | number>][] = [
  ['%(here)s/log', { here: '/etc/supervisor' }],
  ['handler%(process_num)s', { process_num: 3 }],
  ['worker_%(process_num)02d', { process_num: 7 }],
  ['%(process_num)-4d|', { process_num: 7 }],
  ['100%% sure %(ENV_HOME)s', { ENV_HOME: '/root' }],
  ['%(missing)s', { here: '/x' }],
  ['50%', {}],
  ['%(program_name)s', { program_name: 'web' }],
  ['%(num)d', { num: 'text' }],
  ['%(program_name).2s', { program_name: 'web' }],
];

interface Reference {
  ini: ({ ok: true; sections: [string, [string, string][]][] } | { ok: false })[];
  env: ({ ok: true; env: Record<string, string> } | { ok: false })[];
  fmt: ({ ok: true; text: string } | { ok: false })[];
}

describe("supervisord's dialect, compared with the real supervisor", () => {
  let ref: Reference;
  beforeAll(() => {
    const script = join(import.meta.dirname, 'helpers', 'supervisor-reference.py');
    ref = JSON.parse(execFileSync('/usr/bin/python3', [script], { input: JSON.stringify({ ini: INI, env: ENV, fmt: FMT }) }).toString()) as Reference;
  });

  test.each(INI.map((text, i) => [i, text] as const))('INI case %i reads as supervisor reads it', (i, text) => {
    const config = new SupervisordConfig();
    const problems = readSupervisordText(config, text, '/x.conf');
    const expected = ref.ini[i];
    if (!expected?.ok) {
      expect(problems.length).toBeGreaterThan(0);
      return;
    }
    expect(problems).toEqual([]);
    const mine = [...config.sections.values()].map((s) => [s.name, config.items(s).map(([k, v]) => [k, v.value])]);
    expect(mine).toEqual(expected.sections);
  });

  test.each(ENV.map((text, i) => [i, text] as const))('environment case %i reads as supervisor reads it', (i, text) => {
    const mine = parseEnvironment(text);
    const expected = ref.env[i];
    expect(mine.ok).toBe(expected?.ok);
    if (mine.ok && expected?.ok) expect(mine.env).toEqual(expected.env);
  });

  test.each(FMT.map(([text, exp], i) => [i, text, exp] as const))('expansion case %i (%s) is Python\'s', (i, text, expansions) => {
    const mine = percentFormat(text, expansions);
    const expected = ref.fmt[i];
    expect(mine.ok).toBe(expected?.ok);
    if (mine.ok && expected?.ok) expect(mine.text).toBe(expected.text);
  });

  test('problems name the file and line', () => {
    const config = new SupervisordConfig();
    expect(readSupervisordText(config, '[program:a]\ncommand = x\nno delimiter here\n', '/etc/s.conf')).toEqual([
      { file: '/etc/s.conf', line: 3, message: 'expected `key = value`, a [section] header or a comment, got "no delimiter here"' },
    ]);
  });
});
