import { describe, expect, test } from '@jest/globals';
import type { Effect } from '../../src/core/effects.js';
import type { LifecycleTable } from '../../src/core/lifecycle.js';
import { LIFECYCLE } from '../../src/core/lifecycle.js';
import { stateOf } from '../../src/core/snapshot.js';
import { Driver, processSpec, vassalSpec } from '../helpers/spec-builder.js';

const dancer = vassalSpec({ reload: 'dance', standin: processSpec({ env: { JOB_HANDLERS: '0' } }) });

function done(effects: readonly Effect[]): { ok: boolean; message: string; command: number }[] {
  return effects.flatMap((e) => (e.type === 'emit' && e.event.type === 'done' ? [{ ok: e.event.ok, message: e.event.message, command: e.event.command }] : []));
}

describe('commands are answered by the core', () => {
  test('stop is accepted at once and done only when the last instance is gone', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    d.up(1);
    d.command('stop');
    expect(d.answers()).toEqual([{ kind: 'accepted', id: 1 }]);
    expect(done(d.effects)).toEqual([]);
    d.advance(5000);
    expect(done(d.effects)).toEqual([]);
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    expect(done(d.effects)).toEqual([{ ok: true, message: 'web: stopped', command: 1 }]);
  });

  test('a dance without a stand-in, of a stopped vassal, or during a dance is refused and changes nothing', () => {
    const plain = new Driver();
    plain.send({ type: 'file-loaded', spec: vassalSpec() });
    plain.up(1);
    plain.command('dance');
    expect(plain.answers()).toMatchObject([{ kind: 'refused', code: 'no-standin' }]);
    expect(plain.kinds()).toEqual([]);

    const d = new Driver();
    d.send({ type: 'file-loaded', spec: dancer });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    d.command('dance');
    expect(d.answers()).toMatchObject([{ kind: 'refused', code: 'not-running', reason: 'web is not running: start it before dancing' }]);
    d.send({ type: 'ready', generation: 1 });
    d.command('dance');
    expect(d.answers()).toEqual([{ kind: 'accepted', id: 2 }]);
    const before = d.v;
    d.command('dance');
    expect(d.answers()).toMatchObject([{ kind: 'refused', id: 3, code: 'dance-running' }]);
    expect(d.v).toBe(before);
  });

  test('a dance asked for during a reload is queued and danced once the reload is over', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: { ...dancer, reload: 'overlap' } });
    d.up(1);
    d.send({ type: 'file-loaded', spec: { ...dancer, reload: 'overlap', contentHash: 'h2' } });
    expect(d.spawns().map((s) => [s.generation, s.role])).toEqual([[2, 'main']]);
    d.command('dance');
    expect(d.answers()).toEqual([{ kind: 'accepted', id: 1 }]);
    d.up(2);
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    expect(d.spawns().map((s) => [s.generation, s.role])).toEqual([[3, 'standin']]);
    d.up(3);
    d.send({ type: 'exited', generation: 2, code: 0, signal: null });
    d.up(4);
    d.send({ type: 'exited', generation: 3, code: 0, signal: null });
    expect(done(d.effects)).toMatchObject([{ ok: true, command: 1 }]);
  });

  test('a dance outcome names the failed step', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: dancer });
    d.up(1);
    d.command('dance');
    d.send({ type: 'spawned', generation: 2, pid: 102 });
    d.send({ type: 'exited', generation: 2, code: 1, signal: null });
    const outcome = d.effects.find((e) => e.type === 'emit' && e.event.type === 'done');
    expect(outcome).toMatchObject({ event: { ok: false, step: 'standin-starting' } });
  });

  test('a command with no outcome by its deadline is answered as failed', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec({ process: processSpec({ readyTimeoutMs: 1000, stopTimeoutMs: 1000 }) }) });
    d.command('start');
    expect(d.wakeAt).not.toBeNull();
    // the spawn is never answered: the instance can neither start nor be seen to exit
    d.advance(8999);
    expect(done(d.effects)).toEqual([]);
    d.advance(1);
    expect(done(d.effects)).toEqual([{ ok: false, command: 1, message: expect.stringMatching(/no outcome within 9s/) as unknown as string }]);
  });

  test('a touch keeps an operator stop; a changed file starts the vassal again', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    d.up(1);
    d.command('stop');
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    expect(d.kinds()).toEqual([]);
    expect(stateOf(d.v, d.now)).toBe('stopped');
    d.send({ type: 'file-loaded', spec: vassalSpec({ contentHash: 'h2' }) });
    expect(d.kinds()).toEqual(['spawn:2']);
  });

  test('uWSGI byte 22 stops the vassal for good: no respawn until start', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec({ process: processSpec({ protocol: 'uwsgi', ready: { kind: 'uwsgi' } }) }) });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    d.send({ type: 'uwsgi-byte', generation: 1, byte: 5 });
    d.send({ type: 'uwsgi-byte', generation: 1, byte: 22 });
    expect(d.kinds()).toEqual(['stop:1']);
    expect(d.v.wish).toEqual({ want: 'down', by: 'instance' });
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    expect(stateOf(d.v, d.now)).toBe('stopped');
    expect(d.v.restarts).toBe(0);
    d.advance(120_000);
    expect(d.kinds()).toEqual([]);
    d.command('start');
    expect(d.kinds()).toEqual(['spawn:2']);
  });

  test('the emperor shutting down refuses every command', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    d.up(1);
    d.send({ type: 'shutdown' });
    d.command('start');
    expect(d.answers()).toMatchObject([{ kind: 'refused', code: 'shutting-down', reason: 'the emperor is shutting down' }]);
  });
});

describe('the lifecycle table', () => {
  test('has a reaction for every operation and every event', () => {
    const rows = Object.values(LIFECYCLE);
    expect(rows).toHaveLength(9);
    for (const row of rows) expect(Object.keys(row).sort()).toEqual(Object.keys(LIFECYCLE.none).sort());
  });

  test('a row that leaves out an event does not compile', () => {
    const { tick: _tick, ...withoutTick } = LIFECYCLE.none;
    // @ts-expect-error the tick column is missing: every row must handle every event
    const row: LifecycleTable['none'] = withoutTick;
    expect(row).toBeDefined();
  });
});
