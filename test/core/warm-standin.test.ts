// warm-standin: a held stand-in started beside a serving original, let go by the dance.
import { describe, expect, test } from '@jest/globals';
import { WARM_RETRY_MS } from '../../src/core/apply-event.js';
import { stateOf } from '../../src/core/snapshot.js';
import { Driver, processSpec, vassalSpec } from '../helpers/spec-builder.js';

const spec = vassalSpec({ reload: 'dance', standin: processSpec({ env: { JOB_HANDLERS: '0' } }), warmStandin: true });

// An original serving (generation 1) and its warm stand-in spawned and held (generation 2).
function warm(): Driver {
  const d = new Driver();
  d.send({ type: 'file-loaded', spec });
  d.send({ type: 'spawned', generation: 1, pid: 101 });
  expect(d.spawns()).toEqual([]); // not beside an original that is still starting
  d.send({ type: 'ready', generation: 1 });
  expect(d.spawns().map((s) => [s.generation, s.role, s.held])).toEqual([[2, 'standin', true]]);
  d.send({ type: 'spawned', generation: 2, pid: 102 });
  return d;
}

describe('a warm stand-in', () => {
  test('is held beside the serving original: it has no ready deadline and the vassal is simply running', () => {
    const d = warm();
    expect(d.v.instances.map((i) => [i.generation, i.phase])).toEqual([[1, 'ready'], [2, 'warm']]);
    d.advance(10 * 60_000);
    expect(d.kinds()).toEqual([]);
    expect(stateOf(d.v, d.now)).toBe('running');
  });

  test('the dance lets it go instead of spawning one, then starts the next warm one once it is over', () => {
    const d = warm();
    d.command('dance');
    expect(d.kinds()).toEqual(['go:2']);
    expect(d.emitted('dance-step')[0]).toMatch(/warm one, held for .*, is let go/);
    d.send({ type: 'ready', generation: 2 });
    expect(d.kinds()).toEqual(['stop:1']);
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    expect(d.spawns().map((s) => [s.generation, s.role, s.held])).toEqual([[3, 'main', undefined]]);
    d.up(3);
    expect(d.kinds()).toEqual(['stop:2']);
    d.send({ type: 'exited', generation: 2, code: 0, signal: null });
    expect(d.emitted('dance-done')).toHaveLength(1);
    expect(d.spawns().map((s) => [s.generation, s.role, s.held])).toEqual([[4, 'standin', true]]);
  });

  test('once let go it must become ready within its ready-timeout, counted from the go', () => {
    const d = warm();
    d.advance(10 * 60_000);
    d.command('dance');
    d.advance(spec.standin!.readyTimeoutMs - 1);
    expect(d.kinds()).toEqual([]);
    d.advance(1);
    expect(d.kinds()).toEqual(['kill:2']);
  });

  test('a dance after the file changed stops the stale warm stand-in and starts its stand-in cold', () => {
    const d = warm();
    const changed = { ...spec, contentHash: 'h2', standin: processSpec({ env: { JOB_HANDLERS: '0', NEW: '1' } }) };
    d.send({ type: 'file-loaded', spec: changed });
    expect(d.kinds()).toEqual(['stop:2', 'spawn:3']);
    expect(d.spawns()[0]?.held).toBeUndefined();
    expect(d.spawns()[0]?.process.env).toEqual({ JOB_HANDLERS: '0', NEW: '1' });
  });

  test('a touch with the same settings lets the warm one go', () => {
    const d = warm();
    d.send({ type: 'file-loaded', spec: { ...spec } });
    expect(d.kinds()).toEqual(['go:2']);
  });

  test('one that dies while held is started again after a pause, never in a loop', () => {
    const d = warm();
    d.send({ type: 'exited', generation: 2, code: 1, signal: null });
    expect(d.emitted('exited')[0]).toMatch(/while warm \(unexpected\).*next warm stand-in starts in 10s/);
    expect(d.spawns()).toEqual([]);
    expect(d.v.restarts).toBe(0);
    d.advance(WARM_RETRY_MS - 1);
    expect(d.spawns()).toEqual([]);
    d.advance(1);
    expect(d.spawns().map((s) => [s.generation, s.held])).toEqual([[3, true]]);
  });

  test('a dance while the warm one died starts the stand-in cold', () => {
    const d = warm();
    d.send({ type: 'exited', generation: 2, code: 1, signal: null });
    d.command('dance');
    expect(d.spawns().map((s) => [s.generation, s.role, s.held])).toEqual([[3, 'standin', undefined]]);
  });

  test('stopping the vassal stops the warm stand-in too', () => {
    const d = warm();
    d.command('stop');
    expect(d.kinds().sort()).toEqual(['stop:1', 'stop:2']);
  });

  test('with warm-standin turned off, the dance that the change causes is the last one to use a warm stand-in', () => {
    const d = warm();
    const { warmStandin: _off, ...cold } = spec;
    d.send({ type: 'file-loaded', spec: { ...cold, contentHash: 'h3' } });
    expect(d.kinds()).toEqual(['go:2']);
    d.send({ type: 'ready', generation: 2 });
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    d.up(3);
    d.send({ type: 'exited', generation: 2, code: 0, signal: null });
    expect(d.emitted('dance-done')).toHaveLength(1);
    expect(d.spawns()).toEqual([]);
  });
});
