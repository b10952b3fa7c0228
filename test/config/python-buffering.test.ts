import { describe, expect, test } from '@jest/globals';
import { validateVassal } from '../../src/config/validate-vassal.js';

const ctx = { file: '/srv/vassals/app.yml', format: 'yaml' as const, contentHash: 'h', vassalWrapper: 'uwsgi' };

function warningsOf(emperor: Record<string, unknown>): readonly string[] {
  const result = validateVassal({ emperor }, ctx);
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result.spec.warnings;
}

const LOG = 'log: Listening';
const WARNING = expect.stringContaining('emperor.ready: a log readiness probe on a Python program whose output is buffered');

describe('a log readiness probe on buffered Python output is caught', () => {
  test.each([
    ['python app.py', ['python', 'app.py']],
    ['an absolute python3.11', ['/usr/bin/python3.11', 'app.py']],
    ['python through env', ['/usr/bin/env', 'FOO=1', 'python3', 'app.py']],
    ['-u given to the script, not to python', ['python3', 'app.py', '-u']],
    ['a shell command', 'cd /srv && exec python3 app.py'],
  ])('%s warns', (_title, command) => {
    expect(warningsOf({ command, ready: LOG })).toEqual([WARNING]);
  });

  test.each([
    ['python -u', { command: ['python3', '-u', 'app.py'], ready: LOG }],
    ['grouped flags -Bu', { command: ['python3', '-Bu', 'app.py'], ready: LOG }],
    ['PYTHONUNBUFFERED in env', { command: ['python3', 'app.py'], ready: LOG, env: { PYTHONUNBUFFERED: '1' } }],
    ['PYTHONUNBUFFERED through env(1)', { command: ['env', 'PYTHONUNBUFFERED=1', 'python3', 'app.py'], ready: LOG }],
    ['a shell command with -u', { command: 'exec python3 -u app.py', ready: LOG }],
    ['another readiness probe', { command: ['python3', 'app.py'], ready: 'notify' }],
    ['another program', { command: ['node', 'app.js'], ready: LOG }],
  ])('%s does not warn', (_title, emperor) => {
    expect(warningsOf(emperor)).toEqual([]);
  });

  test('a stand-in that changes the probe is checked too', () => {
    expect(warningsOf({ command: ['python3', '-u', 'app.py'], ready: 'notify', standin: { command: ['python3', 'other.py'], ready: LOG } })).toEqual([
      expect.stringContaining('emperor.standin.ready: a log readiness probe on a Python program'),
    ]);
  });
});
