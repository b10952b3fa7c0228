import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { stateOf } from '../../src/core/snapshot.js';
import { afterDeath, DEFAULT_RESTART_POLICY, NO_HISTORY, type RestartPolicy } from '../../src/core/restart-policy.js';
import { backoff, Driver, processSpec, vassalSpec } from '../helpers/spec-builder.js';

const spawnReady = processSpec({ ready: { kind: 'spawn' } });

// Kills the running generation `after` ms after its start; returns the generation that died.
function crash(d: Driver, after: number, code = 1): number {
  const gen = d.v.nextGeneration - 1;
  d.now += after;
  d.send({ type: 'exited', generation: gen, code, signal: null });
  return gen;
}

describe('the restart policy', () => {
  test('a ready instance that dies is respawned at once, five times within the window; then the delay doubles', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    const delays: number[] = [];
    for (let n = 0; n < 9; n++) {
      const gen = d.v.nextGeneration - 1;
      d.up(gen);
      crash(d, 100);
      delays.push(d.v.throttle.delayMs);
      if (d.v.throttle.delayMs === 0) {
        expect(d.kinds()).toEqual([`spawn:${gen + 1}`]);
        continue;
      }
      expect(stateOf(d.v, d.now)).toBe('throttled');
      expect(d.wakeAt).toBe(d.now + d.v.throttle.delayMs);
      d.advance(d.v.throttle.delayMs);
      expect(d.kinds()).toEqual([`spawn:${gen + 1}`]);
    }
    expect(delays).toEqual([0, 0, 0, 0, 0, 1000, 2000, 4000, 8000]);
  });

  test('an instance that dies before it was ever ready is a crash loop: throttled at once, 1 s doubling to 60 s', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    const delays: number[] = [];
    for (let n = 0; n < 9; n++) {
      const gen = d.v.nextGeneration - 1;
      d.send({ type: 'spawned', generation: gen, pid: 100 + gen });
      crash(d, 100);
      expect(stateOf(d.v, d.now)).toBe('throttled');
      delays.push(d.v.throttle.delayMs);
      d.advance(d.v.throttle.delayMs);
      expect(d.kinds()).toEqual([`spawn:${gen + 1}`]);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });

  test('a healthy run (ready and up longer than the window) clears the history', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    for (let n = 0; n < 6; n++) {
      d.up(d.v.nextGeneration - 1);
      crash(d, 100);
    }
    expect(d.v.throttle.delayMs).toBe(1000);
    d.advance(1000);
    d.up(d.v.nextGeneration - 1);
    crash(d, DEFAULT_RESTART_POLICY.windowMs);
    expect(d.v.throttle).toMatchObject({ delayMs: 0, count: 1 });
    expect(d.kinds()).toEqual([`spawn:${d.v.nextGeneration - 1}`]);
  });

  test('past max-restarts the vassal is fatal, with its last exit shown; start brings it back', () => {
    const policy: RestartPolicy = { ...DEFAULT_RESTART_POLICY, maxRestarts: 2 };
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec({ restart: policy, process: spawnReady }) });
    for (let n = 0; n < 3; n++) {
      d.send({ type: 'spawned', generation: d.v.nextGeneration - 1, pid: 100 + n });
      crash(d, 100, 3);
    }
    expect(stateOf(d.v, d.now)).toBe('fatal');
    expect(d.emitted('fatal')[0]).toMatch(/gave up after 2 restart/);
    d.advance(3_600_000);
    expect(d.kinds()).toEqual([]);
    const status = d.v;
    expect(status.lastExit).toMatchObject({ code: 3 });
    d.command('start');
    expect(d.kinds()).toEqual([`spawn:${d.v.nextGeneration - 1}`]);
  });

  test('a touched file of a fatal or throttled vassal starts it at once and resets the backoff', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec({ restart: { ...DEFAULT_RESTART_POLICY, maxRestarts: 0 } }) });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    crash(d, 10);
    expect(stateOf(d.v, d.now)).toBe('fatal');
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    expect(d.kinds()).toEqual(['spawn:2']);
    d.send({ type: 'spawned', generation: 2, pid: 102 });
    crash(d, 10);
    expect(stateOf(d.v, d.now)).toBe('throttled');
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    expect(d.kinds()).toEqual(['spawn:3']);
    expect(d.v.throttle).toEqual(NO_HISTORY);
  });

  test('restart: on-failure leaves a clean exit exited and restarts a failure; never restarts nothing', () => {
    const onFailure = new Driver();
    onFailure.send({ type: 'file-loaded', spec: vassalSpec({ restart: { ...DEFAULT_RESTART_POLICY, restart: 'on-failure' }, process: spawnReady }) });
    onFailure.send({ type: 'spawned', generation: 1, pid: 101 });
    crash(onFailure, 10, 1);
    expect(onFailure.kinds()).toEqual(['spawn:2']);
    onFailure.send({ type: 'spawned', generation: 2, pid: 102 });
    crash(onFailure, 10, 0);
    expect(onFailure.kinds()).toEqual([]);
    expect(stateOf(onFailure.v, onFailure.now)).toBe('exited');

    const never = new Driver();
    never.send({ type: 'file-loaded', spec: vassalSpec({ restart: { ...DEFAULT_RESTART_POLICY, restart: 'never' }, process: spawnReady }) });
    never.send({ type: 'spawned', generation: 1, pid: 101 });
    crash(never, 10, 2);
    expect(never.kinds()).toEqual([]);
    expect(stateOf(never.v, never.now)).toBe('exited');
    never.advance(3_600_000);
    expect(never.kinds()).toEqual([]);
  });

  test('the delay never exceeds the maximum and is never negative', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 90_000 }), fc.boolean()), { maxLength: 40 }), (deaths) => {
        let h = NO_HISTORY;
        let now = 0;
        for (const [uptime, wasReady] of deaths) {
          const spawnedAt = now;
          now += uptime;
          const next = afterDeath(h, { code: 1, signal: null, spawnedAt, readyAt: wasReady ? spawnedAt : null }, now, DEFAULT_RESTART_POLICY, backoff);
          if (next.kind !== 'respawn') throw new Error('always restarts');
          h = next.history;
          expect(h.delayMs).toBeGreaterThanOrEqual(0);
          expect(h.delayMs).toBeLessThanOrEqual(backoff.maxMs);
          if (wasReady && uptime >= DEFAULT_RESTART_POLICY.windowMs) expect(h.delayMs).toBe(0);
        }
      }),
    );
  });
});
