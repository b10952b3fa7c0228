// Stop order: dependents (`after`) stop before what they depend on when they stop together;
// cycles and unknown names never make a stop wait forever.
import { describe, expect, test } from '@jest/globals';
import { stateOf, toStatus } from '../../src/core/snapshot.js';
import { stopAfter, stopSequence } from '../../src/core/stop-order.js';
import { Driver, processSpec, vassalSpec } from '../helpers/spec-builder.js';

const graph: Record<string, string[]> = {
  postgres: [],
  redis: [],
  web: ['postgres'],
  handler0: ['postgres'],
  celery: ['postgres', 'redis'],
  beat: ['postgres', 'redis', 'celery'],
  a: ['b'],
  b: ['a', 'postgres'],
  lost: ['nobody'],
};
const afterOf = (n: string): readonly string[] => graph[n] ?? [];

describe('stop order (pure)', () => {
  test('the sequence puts every dependent before what it depends on', () => {
    const seq = stopSequence(Object.keys(graph), afterOf);
    const before = (x: string, y: string): boolean => seq.indexOf(x) < seq.indexOf(y);
    for (const [name, deps] of Object.entries(graph)) for (const dep of deps) if (dep in graph && !(name === 'a' && dep === 'b') && !(name === 'b' && dep === 'a')) expect(before(name, dep)).toBe(true);
    expect([...seq].sort()).toEqual(Object.keys(graph).sort());
  });

  test('a vassal waits only for dependents that are stopping, never for one in a cycle with it', () => {
    const all = (): boolean => true;
    expect(stopAfter('postgres', ['web', 'handler0', 'celery', 'beat', 'b'], all, afterOf)).toEqual(['b', 'beat', 'celery', 'handler0', 'web']);
    expect(stopAfter('postgres', ['web', 'handler0'], (n) => n === 'web', afterOf)).toEqual(['web']);
    expect(stopAfter('celery', ['beat'], all, afterOf)).toEqual(['beat']);
    // a and b name each other: they stop together, neither waits for the other.
    expect(stopAfter('a', ['b'], all, afterOf)).toEqual([]);
    expect(stopAfter('b', ['a'], all, afterOf)).toEqual([]);
    // An unknown name in `after` holds nothing back.
    expect(stopSequence(['lost', 'postgres'], afterOf).sort()).toEqual(['lost', 'postgres']);
  });
});

describe('stop order (lifecycle)', () => {
  const postgres = vassalSpec({ name: 'postgres', process: processSpec({ ready: { kind: 'spawn' } }) });

  test('winding down, a vassal keeps its instance until its stopping dependents are gone, and says so', () => {
    const d = new Driver('postgres');
    d.send({ type: 'file-loaded', spec: postgres });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    d.send({ type: 'dependents-stopping', names: ['web'] });
    expect(d.kinds()).toEqual([]); // the emperor still runs: a stopping dependent alone changes nothing
    d.send({ type: 'shutdown' });
    expect(d.kinds()).toEqual([]);
    expect(d.emitted('stop-order')).toEqual(['stops once web stopped (after)']);
    expect(stateOf(d.v, d.now)).toBe('stopping');
    expect(toStatus(d.v, d.now).note).toBe('stops once web stopped (after)');
    d.send({ type: 'dependents-stopping', names: ['handler0', 'web'] });
    expect(d.emitted('stop-order')).toEqual(['stops once handler0, web stopped (after)']);
    d.send({ type: 'dependents-stopping', names: [] });
    expect(d.kinds()).toEqual(['stop:1']);
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    expect(stateOf(d.v, d.now)).toBe('stopped');
  });

  test('a vassal that keeps running never holds back the operator stopping what it depends on', () => {
    const d = new Driver('postgres');
    d.send({ type: 'file-loaded', spec: postgres });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    d.command('stop');
    expect(d.kinds()).toEqual(['stop:1']);
  });
});
