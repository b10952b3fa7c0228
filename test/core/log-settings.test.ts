import { describe, expect, test } from '@jest/globals';
import { levelOf } from '../../src/core/event-level.js';
import type { LogFileSpec } from '../../src/core/spec.js';
import { Driver, processSpec, vassalSpec } from '../helpers/spec-builder.js';

const fileA: LogFileSpec = { path: '/var/log/a.log', maxBytes: undefined, backups: 5, format: 'timestamped' };
const fileB: LogFileSpec = { path: '/var/log/b.log', maxBytes: 1024, backups: 2, format: 'json' };

function running(log: LogFileSpec | undefined): Driver {
  const d = new Driver();
  d.send({ type: 'file-loaded', spec: vassalSpec({ reload: 'stop-start', process: processSpec({ log }) }) });
  d.up(1);
  return d;
}

describe('log settings in the core', () => {
  test('every load tells the runtime where the lines go', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec({ process: processSpec({ log: fileA }) }) });
    expect(d.effects.find((e) => e.type === 'log-to')).toEqual({ type: 'log-to', log: { main: fileA, standin: undefined } });
  });

  test('a change of the log settings alone is applied without restarting the instance', () => {
    const d = running(fileA);
    const rev = d.v.rev;
    d.send({ type: 'file-loaded', spec: vassalSpec({ reload: 'stop-start', process: processSpec({ log: fileB }), contentHash: 'h2' }) });
    expect(d.kinds()).toEqual([]);
    expect(d.effects.find((e) => e.type === 'log-to')).toEqual({ type: 'log-to', log: { main: fileB, standin: undefined } });
    expect(d.v.rev).toBe(rev);
    expect(d.emitted('changed')).toEqual(['vassal file /vassals/web.yml changed its log settings only: applied without a restart']);
    // Adding logto, or taking it away, is a log change too.
    d.send({ type: 'file-loaded', spec: vassalSpec({ reload: 'stop-start', process: processSpec({ log: undefined }), contentHash: 'h3' }) });
    expect(d.kinds()).toEqual([]);
  });

  test('a log change together with another change reloads, and so does a touch', () => {
    const d = running(fileA);
    d.send({ type: 'file-loaded', spec: vassalSpec({ reload: 'stop-start', process: processSpec({ log: fileB, env: { A: '1' } }), contentHash: 'h2' }) });
    expect(d.kinds()).toEqual(['stop:1']);
    const t = running(fileA);
    t.send({ type: 'file-loaded', spec: vassalSpec({ reload: 'stop-start', process: processSpec({ log: fileA }) }) });
    expect(t.kinds()).toEqual(['stop:1']);
  });

  test('levels: trouble is warn or error, routine is info', () => {
    const base = { generation: 1, role: 'main' as const, message: '' };
    expect(levelOf({ type: 'exited', ...base, expected: false, code: 1, signal: null })).toBe('warn');
    expect(levelOf({ type: 'exited', ...base, expected: true, code: 0, signal: null })).toBe('info');
    expect(levelOf({ type: 'killing', ...base, pid: 5 })).toBe('warn');
    expect(levelOf({ type: 'broken' })).toBe('error');
    expect(levelOf({ type: 'dance-failed', step: 'standin-starting', durationMs: 1 })).toBe('error');
    expect(levelOf({ type: 'state', state: 'throttled', from: 'running' })).toBe('warn');
    expect(levelOf({ type: 'state', state: 'running', from: 'starting' })).toBe('info');
    expect(levelOf({ type: 'spawned', ...base, pid: 5 })).toBe('info');
  });
});
