import { describe, test, expect } from '@jest/globals';
import { resolveControlPath, resolveRunDir } from '../../src/cli/run-dir.js';
import { formatElapsed, formatUptime } from '../../src/cli/output.js';

describe('run directory defaults', () => {
  test('--run-dir wins over everything', () => {
    expect(resolveRunDir({ flag: '/srv/run', env: { EMPEROR_RUN_DIR: '/x' }, uid: 0 })).toBe('/srv/run');
  });
  test('EMPEROR_RUN_DIR comes next', () => {
    expect(resolveRunDir({ env: { EMPEROR_RUN_DIR: '/x', XDG_RUNTIME_DIR: '/run/user/1000' }, uid: 1000 })).toBe('/x');
  });
  test('root uses /run/emperor', () => {
    expect(resolveRunDir({ env: { XDG_RUNTIME_DIR: '/run/user/0' }, uid: 0 })).toBe('/run/emperor');
  });
  test('other users use $XDG_RUNTIME_DIR/emperor, else a per-uid temp directory', () => {
    expect(resolveRunDir({ env: { XDG_RUNTIME_DIR: '/run/user/1000' }, uid: 1000 })).toBe('/run/user/1000/emperor');
    expect(resolveRunDir({ env: {}, uid: 1000, tmp: '/tmp' })).toBe('/tmp/emperor-1000');
  });
  test('the control socket defaults to <run-dir>/control.sock unless --control is given', () => {
    expect(resolveControlPath('/run/emperor')).toBe('/run/emperor/control.sock');
    expect(resolveControlPath('/run/emperor', '/tmp/c.sock')).toBe('/tmp/c.sock');
  });
});

describe('human durations', () => {
  test('uptimes read like supervisorctl', () => {
    expect(formatUptime(null)).toBe('-');
    expect(formatUptime(42)).toBe('0:00:42');
    expect(formatUptime(10_931)).toBe('3:02:11');
    expect(formatUptime(86_400 + 5)).toBe('1 day, 0:00:05');
    expect(formatUptime(2 * 86_400 + 3603)).toBe('2 days, 1:00:03');
  });
  test('step durations use ms, seconds with one decimal, then minutes', () => {
    expect(formatElapsed(850)).toBe('850ms');
    expect(formatElapsed(3200)).toBe('3.2s');
    expect(formatElapsed(65_000)).toBe('1m 05s');
  });
});
