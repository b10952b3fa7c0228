import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { stateOf } from '../../src/core/snapshot.js';
import { afterDeath, NO_THROTTLE } from '../../src/core/throttle.js';
import { Driver, policy, vassalSpec } from '../helpers/spec-builder.js';

describe('throttle', () => {
  test('quick deaths double the delay from 1 s up to 60 s', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    const delays: number[] = [];
    for (let n = 0; n < 9; n++) {
      const gen = d.v.nextGeneration - 1;
      d.up(gen);
      d.now += 100;
      d.send({ type: 'exited', generation: gen, code: 1, signal: null });
      expect(stateOf(d.v, d.now)).toBe('throttled');
      expect(d.kinds()).toEqual([]);
      delays.push(d.v.throttle.delayMs);
      expect(d.wakeAt).toBe(d.now + d.v.throttle.delayMs);
      d.advance(d.v.throttle.delayMs);
      expect(d.kinds()).toEqual([`spawn:${gen + 1}`]);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });

  test('a healthy uptime resets the delay', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    d.up(1);
    d.now += 100;
    d.send({ type: 'exited', generation: 1, code: 1, signal: null });
    d.advance(1000);
    d.up(2);
    d.now += 100;
    d.send({ type: 'exited', generation: 2, code: 1, signal: null });
    expect(d.v.throttle.delayMs).toBe(2000);
    d.advance(2000);
    d.up(3);
    d.now += policy.healthyUptimeMs;
    d.send({ type: 'exited', generation: 3, code: 1, signal: null });
    expect(d.v.throttle.delayMs).toBe(0);
    expect(d.kinds()).toEqual(['spawn:4']);
  });

  test('a throttled vassal shows when it tries next', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    d.up(1);
    d.send({ type: 'exited', generation: 1, code: 3, signal: null });
    expect(d.v.throttle.nextStartAt).toBe(d.now + 1000);
  });

  test('the delay never exceeds the maximum and is never negative', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30_000 }), { maxLength: 40 }), (uptimes) => {
        let t = NO_THROTTLE;
        let now = 0;
        for (const u of uptimes) {
          now += u;
          t = afterDeath(t, u, now, policy);
          expect(t.delayMs).toBeGreaterThanOrEqual(0);
          expect(t.delayMs).toBeLessThanOrEqual(policy.maxMs);
          if (u >= policy.healthyUptimeMs) expect(t).toEqual(NO_THROTTLE);
        }
      }),
    );
  });
});
