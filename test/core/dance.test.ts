import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { VassalEvent } from '../../src/core/events.js';
import { stateOf } from '../../src/core/snapshot.js';
import { Driver, processSpec, vassalSpec } from '../helpers/spec-builder.js';

const spec = vassalSpec({ reload: 'dance', standin: processSpec({ env: { JOB_HANDLERS: '0' } }) });

function dancing(): Driver {
  const d = new Driver();
  d.send({ type: 'file-loaded', spec });
  d.up(1);
  d.command('dance');
  return d;
}

describe('the restart dance', () => {
  test('runs stand-in, stop original, new original, stop stand-in, in that order', () => {
    const d = dancing();
    expect(d.spawns().map((s) => [s.generation, s.role])).toEqual([[2, 'standin']]);
    expect(stateOf(d.v, d.now)).toBe('dancing');
    d.send({ type: 'spawned', generation: 2, pid: 102 });
    expect(d.kinds()).toEqual([]);
    d.send({ type: 'ready', generation: 2 });
    expect(d.kinds()).toEqual(['stop:1']);
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    expect(d.spawns().map((s) => [s.generation, s.role])).toEqual([[3, 'main']]);
    d.send({ type: 'spawned', generation: 3, pid: 103 });
    d.send({ type: 'ready', generation: 3 });
    expect(d.kinds()).toEqual(['stop:2']);
    d.send({ type: 'exited', generation: 2, code: 0, signal: null });
    expect(d.emitted('dance-done')).toHaveLength(1);
    expect(stateOf(d.v, d.now)).toBe('running');
  });

  test('the stand-in gets its own process settings', () => {
    const d = dancing();
    expect(d.spawns()[0]?.process.env).toEqual({ JOB_HANDLERS: '0' });
  });

  test('a stand-in that never becomes ready fails the dance and leaves the original untouched', () => {
    const d = dancing();
    d.send({ type: 'spawned', generation: 2, pid: 102 });
    d.advance(60_000);
    expect(d.kinds()).toEqual(['kill:2']);
    expect(d.emitted('dance-failed')[0]).toMatch(/stand-in/);
    d.send({ type: 'exited', generation: 2, code: null, signal: 'SIGKILL' });
    expect(d.v.instances.map((i) => [i.generation, i.phase])).toEqual([[1, 'ready']]);
    expect(stateOf(d.v, d.now)).toBe('running');
  });

  test('a new original that keeps failing leaves the stand-in serving (degraded) and is retried with the throttle', () => {
    const d = dancing();
    d.up(2);
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    d.send({ type: 'spawned', generation: 3, pid: 103 });
    d.send({ type: 'exited', generation: 3, code: 1, signal: null });
    expect(stateOf(d.v, d.now)).toBe('degraded');
    expect(d.kinds()).toEqual([]);
    d.advance(1000);
    expect(d.spawns().map((s) => s.generation)).toEqual([4]);
    d.up(4);
    expect(d.kinds()).toEqual(['stop:2']);
  });

  test('the original exiting on its own mid-dance is respawned at once (the gist variant)', () => {
    const d = dancing();
    d.send({ type: 'spawned', generation: 2, pid: 102 });
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    expect(d.v.throttle.nextStartAt).toBeNull();
    d.send({ type: 'ready', generation: 2 });
    expect(d.spawns().map((s) => [s.generation, s.role])).toEqual([[3, 'main']]);
  });

  test('a touch during a dance is applied afterwards', () => {
    const d = dancing();
    d.up(2);
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    d.send({ type: 'file-loaded', spec: { ...spec, contentHash: 'h2' } });
    d.up(3);
    d.send({ type: 'exited', generation: 2, code: 0, signal: null });
    // generation 3 runs the older revision: a new dance starts for the latest file
    expect(d.spawns().map((s) => [s.generation, s.role])).toEqual([[4, 'standin']]);
  });

  test('removing the file during a dance stops everything and forgets the vassal', () => {
    const d = dancing();
    d.up(2);
    expect(d.kinds()).toEqual(['stop:1']); // the stand-in is ready: the original is already stopping
    d.send({ type: 'file-removed' });
    expect(d.kinds()).toEqual(['stop:2']);
    expect(d.v.instances.every((i) => i.phase === 'stopping')).toBe(true);
    expect(d.emitted('dance-failed')).toHaveLength(1);
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    d.send({ type: 'exited', generation: 2, code: 0, signal: null });
    expect(d.kinds()).toEqual(['forget']);
  });

  test('two originals never run at once, whatever the order of events', () => {
    // Random interleavings of readiness, exits, timeouts and touches: at no point may two
    // main instances be alive (not yet exited) together once the dance started.
    const eventGen = fc.constantFrom('ready', 'exit', 'tick', 'touch', 'spawned');
    fc.assert(
      fc.property(fc.array(fc.tuple(eventGen, fc.integer({ min: 1, max: 8 })), { maxLength: 60 }), (script) => {
        const d = dancing();
        let hash = 0;
        for (const [kind, genPick] of script) {
          const gens = d.v.instances.map((i) => i.generation);
          const gen = gens[genPick % Math.max(1, gens.length)] ?? 1;
          const inst = d.v.instances.find((i) => i.generation === gen);
          let e: VassalEvent = { type: 'tick' };
          if (kind === 'spawned' && inst && inst.pid === null) e = { type: 'spawned', generation: gen, pid: 100 + gen };
          if (kind === 'ready' && inst && inst.pid !== null) e = { type: 'ready', generation: gen };
          if (kind === 'exit' && inst && inst.pid !== null) e = { type: 'exited', generation: gen, code: 0, signal: null };
          if (kind === 'touch') e = { type: 'file-loaded', spec: { ...spec, contentHash: `t${hash++}` } };
          if (kind === 'tick') d.now += 7000;
          d.send(e);
          expect(d.v.instances.filter((i) => i.role === 'main').length).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});
