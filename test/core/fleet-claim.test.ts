import { describe, expect, test } from '@jest/globals';
import { stateOf, toStatus } from '../../src/core/snapshot.js';
import { Driver, processSpec, vassalSpec } from '../helpers/spec-builder.js';

const fleetSpec = (over: Parameters<typeof vassalSpec>[0] = {}) => vassalSpec({ singleton: 'fleet', ...over });

// Loads a fleet singleton and grants its claim until renewBy (killBy 1 s after).
function granted(d: Driver, renewIn = 5000): void {
  d.send({ type: 'fleet-granted', renewBy: d.now + renewIn, killBy: d.now + renewIn + 4000 });
}

describe('fleet singletons', () => {
  test('a fleet singleton asks for its claim and starts nothing until it is granted', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: fleetSpec() });
    expect(d.kinds()).toEqual(['fleet-claim']);
    expect(stateOf(d.v, d.now)).toBe('standby');
    d.send({ type: 'fleet-standby', holder: 'node-b', reason: 'held elsewhere', killBy: null });
    expect(d.kinds()).toEqual([]);
    expect(toStatus(d.v, d.now).note).toBe('held by node-b');
    expect(toStatus(d.v, d.now).fleet).toEqual({ claim: 'waiting', holder: 'node-b' });
    granted(d);
    expect(d.kinds()).toEqual(['spawn:1']);
    d.up(1);
    expect(stateOf(d.v, d.now)).toBe('running');
  });

  test('a lost claim stops the instance, SIGKILLed by the claim deadline at the latest, and does not respawn it', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: fleetSpec({ process: processSpec({ stopTimeoutMs: 10_000 }) }) });
    granted(d);
    d.up(1);
    d.send({ type: 'fleet-standby', holder: null, reason: 'lost contact with etcd', killBy: d.now + 2000 });
    expect(d.kinds()).toEqual(['stop:1']);
    expect(d.v.instances[0]?.killAt).toBe(d.now + 2000);
    d.advance(2000);
    expect(d.kinds()).toEqual(['kill:1']);
    d.send({ type: 'exited', generation: 1, code: null, signal: 'SIGKILL' });
    expect(d.kinds()).toEqual([]);
    expect(stateOf(d.v, d.now)).toBe('standby');
    expect(d.v.restarts).toBe(0);
  });

  test('without a renewal the claim lapses at renewBy by the core clock alone', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: fleetSpec() });
    granted(d, 5000);
    d.up(1);
    expect(d.wakeAt).toBe(d.now + 5000); // renewBy
    d.send({ type: 'fleet-granted', renewBy: d.now + 6000, killBy: d.now + 9000 }); // a renewal moves it
    d.advance(5999);
    expect(d.kinds()).toEqual([]);
    d.advance(1);
    expect(d.kinds()).toEqual(['stop:1']);
    expect(d.emitted('fleet')).toEqual(['fleet claim lost: the fleet claim was not renewed in time']);
  });

  test('after a pause past renewBy, a death is not respawned on the stale claim', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: fleetSpec() });
    granted(d, 5000);
    d.up(1);
    d.now += 60_000; // frozen; the guard killed the group meanwhile
    d.send({ type: 'exited', generation: 1, code: null, signal: 'SIGKILL' });
    expect(d.kinds()).toEqual([]);
    expect(stateOf(d.v, d.now)).toBe('standby');
  });

  test('a stale grant (renewBy already past) starts nothing', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: fleetSpec() });
    d.send({ type: 'fleet-granted', renewBy: d.now, killBy: d.now + 1000 });
    expect(d.kinds()).toEqual([]);
    expect(stateOf(d.v, d.now)).toBe('standby');
  });

  test('the claim is released at once when the file is removed, once the instance is gone', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: fleetSpec() });
    granted(d);
    d.up(1);
    d.send({ type: 'file-removed' });
    expect(d.kinds()).toEqual(['stop:1']);
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    expect(d.kinds()).toEqual(['forget', 'fleet-release']);
  });

  test('stop releases the claim; start claims it again', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: fleetSpec() });
    granted(d);
    d.up(1);
    d.command('stop');
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    expect(d.kinds()).toEqual(['fleet-release']);
    expect(stateOf(d.v, d.now)).toBe('stopped');
    d.send({ type: 'fleet-granted', renewBy: d.now + 5000, killBy: d.now + 9000 }); // stale, ignored
    expect(d.kinds()).toEqual([]);
    d.command('start');
    expect(d.kinds()).toEqual(['fleet-claim']);
  });

  test('losing the claim during a dance ends the dance and stops every instance', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: fleetSpec({ reload: 'dance', standin: processSpec() }) });
    granted(d, 60_000);
    d.up(1);
    d.command('dance');
    expect(d.kinds()).toEqual(['spawn:2']);
    d.up(2);
    d.send({ type: 'fleet-standby', holder: null, reason: 'lost', killBy: d.now + 1000 });
    expect(d.kinds()).toEqual(['stop:2']); // the original is already stopping (the dance's own step)
    expect(d.v.instances.every((i) => i.phase === 'stopping' && i.killAt !== null && i.killAt <= d.now + 1000)).toBe(true);
    expect(d.emitted('dance-failed')).toHaveLength(1);
  });

  test('a vassal that is not a fleet singleton never claims', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    expect(d.kinds()).toEqual(['spawn:1']);
    expect(toStatus(d.v, d.now).fleet).toBeNull();
  });
});
