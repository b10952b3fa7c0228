// Start order (`after`): an original waits until the vassals it names have a ready instance;
// what already runs is never stopped for them.
import { describe, expect, test } from '@jest/globals';
import { stateOf, toStatus } from '../../src/core/snapshot.js';
import { Driver, processSpec, vassalSpec } from '../helpers/spec-builder.js';

const handler = vassalSpec({ name: 'handler', process: processSpec({ ready: { kind: 'spawn' } }), after: ['postgres', 'redis'] });

describe('after', () => {
  test('nothing is spawned until every named vassal is ready; the state says what it waits for', () => {
    const d = new Driver('handler');
    d.send({ type: 'file-loaded', spec: handler });
    expect(d.spawns()).toEqual([]);
    expect(stateOf(d.v, d.now)).toBe('waiting');
    expect(toStatus(d.v, d.now).note).toBe('waiting for postgres, redis to be ready (after)');
    d.send({ type: 'peers-ready', names: ['postgres'] });
    expect(d.spawns()).toEqual([]);
    expect(toStatus(d.v, d.now).note).toBe('waiting for redis to be ready (after)');
    d.send({ type: 'peers-ready', names: ['postgres', 'redis', 'web'] });
    expect(d.kinds()).toEqual(['spawn:1']);
  });

  test('a running instance keeps running when a vassal it waited for goes away; a respawn waits for it again', () => {
    const d = new Driver('handler');
    d.send({ type: 'peers-ready', names: ['postgres', 'redis'] });
    d.send({ type: 'file-loaded', spec: handler });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    d.send({ type: 'peers-ready', names: ['redis'] });
    expect(d.kinds()).toEqual([]);
    expect(stateOf(d.v, d.now)).toBe('running');
    d.send({ type: 'exited', generation: 1, code: null, signal: 'SIGKILL' });
    expect(d.spawns()).toEqual([]);
    expect(stateOf(d.v, d.now)).toBe('waiting');
    d.send({ type: 'peers-ready', names: ['postgres', 'redis'] });
    expect(d.kinds()).toEqual(['spawn:2']);
  });

  test('an overlap reload does not wait (the old instance serves on); a stop-start reload starts only when they are ready', () => {
    const d = new Driver('handler');
    d.send({ type: 'peers-ready', names: ['postgres', 'redis'] });
    d.send({ type: 'file-loaded', spec: { ...handler, reload: 'overlap' } });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    d.send({ type: 'peers-ready', names: [] });
    d.send({ type: 'file-loaded', spec: { ...handler, reload: 'overlap', contentHash: 'h2' } });
    expect(d.kinds()).toEqual(['spawn:2']);
    d.send({ type: 'spawned', generation: 2, pid: 102 });
    expect(d.kinds()).toEqual(['stop:1']);
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    d.send({ type: 'file-loaded', spec: { ...handler, contentHash: 'h3' } });
    expect(d.kinds()).toEqual(['stop:2']);
    d.send({ type: 'exited', generation: 2, code: 0, signal: null });
    expect(d.spawns()).toEqual([]);
    expect(stateOf(d.v, d.now)).toBe('waiting');
    d.send({ type: 'peers-ready', names: ['postgres', 'redis'] });
    expect(d.kinds()).toEqual(['spawn:3']);
  });
});
