import { describe, expect, test } from '@jest/globals';
import { stateOf } from '../../src/core/snapshot.js';
import { Driver, processSpec, vassalSpec } from '../helpers/spec-builder.js';

describe('vassal lifecycle', () => {
  test('a loaded file spawns generation 1, which runs once ready', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    expect(d.kinds()).toEqual(['spawn:1']);
    expect(stateOf(d.v, d.now)).toBe('starting');
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    expect(stateOf(d.v, d.now)).toBe('starting');
    d.send({ type: 'ready', generation: 1 });
    expect(stateOf(d.v, d.now)).toBe('running');
  });

  test('ready "spawn" vassals are running as soon as the pid is known', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec({ process: processSpec({ ready: { kind: 'spawn' } }) }) });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    expect(stateOf(d.v, d.now)).toBe('running');
  });

  test('ready "delay" becomes ready once the instance survived the delay', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec({ process: processSpec({ ready: { kind: 'delay', ms: 5000 } }) }) });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    expect(d.wakeAt).toBe(d.now + 5000);
    d.advance(4999);
    expect(stateOf(d.v, d.now)).toBe('starting');
    d.advance(1);
    expect(stateOf(d.v, d.now)).toBe('running');
  });

  test('an instance not ready within ready-timeout is killed and counts as a quick death', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec({ process: processSpec({ readyTimeoutMs: 3000 }) }) });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    d.advance(3000);
    expect(d.kinds()).toEqual(['kill:1']);
    d.send({ type: 'exited', generation: 1, code: null, signal: 'SIGKILL' });
    expect(stateOf(d.v, d.now)).toBe('throttled');
    expect(d.v.throttle.delayMs).toBe(1000);
  });

  test('a stop is graceful first and SIGKILLs the group after stop-timeout', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec({ process: processSpec({ stopTimeoutMs: 2000 }) }) });
    d.up(1);
    d.command('stop');
    expect(d.kinds()).toEqual(['stop:1']);
    expect(stateOf(d.v, d.now)).toBe('stopping');
    d.advance(1999);
    expect(d.kinds()).toEqual([]);
    d.advance(1);
    expect(d.kinds()).toEqual(['kill:1']);
    d.send({ type: 'exited', generation: 1, code: null, signal: 'SIGKILL' });
    expect(stateOf(d.v, d.now)).toBe('stopped');
    expect(d.v.lastExit?.expected).toBe(true);
    expect(d.v.restarts).toBe(0);
  });

  test('a stopped vassal stays stopped until start, then spawns the next generation', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    d.up(1);
    d.command('stop');
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    d.advance(60_000);
    expect(d.kinds()).toEqual([]);
    d.command('start');
    expect(d.kinds()).toEqual(['spawn:2']);
  });

  test('a changed file restarts a stopped vassal', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    d.up(1);
    d.command('stop');
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    d.send({ type: 'file-loaded', spec: vassalSpec({ contentHash: 'h2' }) });
    expect(d.kinds()).toEqual(['spawn:2']);
  });

  test('removing the file stops the instance and forgets the vassal once its group is gone', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    d.up(1);
    d.send({ type: 'file-removed' });
    expect(d.kinds()).toEqual(['stop:1']);
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    expect(d.kinds()).toEqual(['forget']);
  });

  test('a healthy instance that dies is respawned at once', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    d.up(1);
    d.now += 10_000;
    d.send({ type: 'exited', generation: 1, code: 1, signal: null });
    expect(d.kinds()).toEqual(['spawn:2']);
    expect(d.v.restarts).toBe(1);
    expect(d.v.lastExit).toMatchObject({ generation: 1, code: 1, expected: false });
  });

  test('an invalid file marks the vassal broken and starts nothing; fixing it starts it', () => {
    const d = new Driver();
    d.send({ type: 'file-invalid', file: '/vassals/web.yml', error: '/vassals/web.yml: emperor.command: missing' });
    expect(d.kinds()).toEqual([]);
    expect(stateOf(d.v, d.now)).toBe('broken');
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    expect(d.kinds()).toEqual(['spawn:1']);
  });

  test('a running vassal whose file turns invalid keeps its instance and is shown broken', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    d.up(1);
    d.send({ type: 'file-invalid', file: '/vassals/web.yml', error: 'bad yaml' });
    expect(d.kinds()).toEqual([]);
    expect(stateOf(d.v, d.now)).toBe('broken');
    expect(d.v.instances).toHaveLength(1);
  });

  test('a command that is not found marks the vassal broken until the file changes', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    d.send({ type: 'spawn-failed', generation: 1, error: 'command not found: nope', notFound: true });
    expect(stateOf(d.v, d.now)).toBe('broken');
    d.advance(120_000);
    expect(d.kinds()).toEqual([]);
    d.send({ type: 'file-loaded', spec: vassalSpec({ contentHash: 'h2' }) });
    expect(d.kinds()).toEqual(['spawn:2']);
  });

  test('generations increase on every spawn', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    const gens: number[] = [];
    for (let n = 0; n < 4; n++) {
      const gen = d.v.nextGeneration - 1;
      gens.push(gen);
      d.up(gen);
      d.now += 20_000;
      d.send({ type: 'exited', generation: gen, code: 1, signal: null });
    }
    expect(gens).toEqual([1, 2, 3, 4]);
  });

  test('emperor shutdown stops every instance and spawns nothing more', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec: vassalSpec() });
    d.up(1);
    d.send({ type: 'shutdown' });
    expect(d.kinds()).toEqual(['stop:1']);
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    expect(d.v.instances).toHaveLength(0);
    d.advance(100_000);
    expect(d.kinds()).toEqual([]);
  });
});
