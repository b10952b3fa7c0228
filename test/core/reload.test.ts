import { describe, expect, test } from '@jest/globals';
import { stateOf } from '../../src/core/snapshot.js';
import { Driver, processSpec, vassalSpec } from '../helpers/spec-builder.js';

const overlap = vassalSpec({ reload: 'overlap' });

function running(spec = overlap): Driver {
  const d = new Driver();
  d.send({ type: 'file-loaded', spec });
  d.up(1);
  return d;
}

describe('reload strategies', () => {
  test('stop-start stops the old instance before starting the new one', () => {
    const d = running(vassalSpec({ reload: 'stop-start' }));
    d.send({ type: 'file-loaded', spec: vassalSpec({ reload: 'stop-start', contentHash: 'h2' }) });
    expect(d.kinds()).toEqual(['stop:1']);
    expect(stateOf(d.v, d.now)).toBe('reloading');
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    expect(d.kinds()).toEqual(['spawn:2']);
  });

  test('a touch (same content, new mtime) reloads too', () => {
    const d = running(vassalSpec({ reload: 'stop-start' }));
    d.send({ type: 'file-loaded', spec: vassalSpec({ reload: 'stop-start' }) });
    expect(d.kinds()).toEqual(['stop:1']);
  });

  test('overlap starts the new generation and stops the old one only once the new one is ready', () => {
    const d = running();
    d.send({ type: 'file-loaded', spec: { ...overlap, contentHash: 'h2' } });
    expect(d.kinds()).toEqual(['spawn:2']);
    d.send({ type: 'spawned', generation: 2, pid: 102 });
    expect(d.kinds()).toEqual([]);
    d.send({ type: 'ready', generation: 2 });
    expect(d.kinds()).toEqual(['stop:1']);
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    expect(d.emitted('reload-done')).toHaveLength(1);
    expect(stateOf(d.v, d.now)).toBe('running');
    expect(d.v.instances.map((i) => i.generation)).toEqual([2]);
  });

  test('a failing new generation is dropped and the old one keeps serving; no retry until the file changes', () => {
    const d = running();
    d.send({ type: 'file-loaded', spec: { ...overlap, contentHash: 'h2' } });
    d.send({ type: 'spawned', generation: 2, pid: 102 });
    d.send({ type: 'exited', generation: 2, code: 1, signal: null });
    expect(d.emitted('reload-failed')).toHaveLength(1);
    expect(d.v.instances.map((i) => [i.generation, i.phase])).toEqual([[1, 'ready']]);
    expect(stateOf(d.v, d.now)).toBe('running');
    d.advance(120_000);
    expect(d.kinds()).toEqual([]);
    d.send({ type: 'file-loaded', spec: { ...overlap, contentHash: 'h3' } });
    expect(d.kinds()).toEqual(['spawn:3']);
  });

  test('a new generation that times out is killed and the old one keeps serving', () => {
    const spec = vassalSpec({ reload: 'overlap', process: processSpec({ readyTimeoutMs: 5000 }) });
    const d = running(spec);
    d.send({ type: 'file-loaded', spec: { ...spec, contentHash: 'h2' } });
    d.send({ type: 'spawned', generation: 2, pid: 102 });
    d.advance(5000);
    expect(d.kinds()).toEqual(['kill:2']);
    expect(d.emitted('reload-failed')).toHaveLength(1);
    expect(d.v.instances.find((i) => i.generation === 1)?.phase).toBe('ready');
  });

  test('an edit during an overlap reload is applied after it', () => {
    const d = running();
    d.send({ type: 'file-loaded', spec: { ...overlap, contentHash: 'h2' } });
    d.send({ type: 'spawned', generation: 2, pid: 102 });
    d.send({ type: 'file-loaded', spec: { ...overlap, contentHash: 'h3' } });
    d.send({ type: 'ready', generation: 2 });
    d.send({ type: 'exited', generation: 1, code: 0, signal: null });
    expect(d.kinds()).toEqual(['spawn:3']);
    expect(d.v.instances.find((i) => i.generation === 3)?.rev).toBe(d.v.rev);
  });

  test('in-place sends uWSGI byte 1 and is ready again on the next accepting byte', () => {
    const spec = vassalSpec({ flavour: 'uwsgi', reload: 'in-place', process: processSpec({ protocol: 'uwsgi', ready: { kind: 'uwsgi' } }) });
    const d = new Driver();
    d.send({ type: 'file-loaded', spec });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    d.send({ type: 'uwsgi-byte', generation: 1, byte: 1 });
    d.send({ type: 'uwsgi-byte', generation: 1, byte: 5 });
    expect(stateOf(d.v, d.now)).toBe('running');
    d.send({ type: 'file-loaded', spec });
    expect(d.kinds()).toEqual(['uwsgi-reload:1']);
    expect(stateOf(d.v, d.now)).toBe('reloading');
    d.send({ type: 'uwsgi-byte', generation: 1, byte: 5 });
    expect(stateOf(d.v, d.now)).toBe('running');
    expect(d.v.instances[0]?.pid).toBe(101);
  });

  test('uWSGI flags follow the bytes the vassal sends', () => {
    const spec = vassalSpec({ flavour: 'uwsgi', reload: 'in-place', process: processSpec({ protocol: 'uwsgi', ready: { kind: 'uwsgi' }, heartbeatTimeoutMs: 30_000 }) });
    const d = new Driver();
    d.send({ type: 'file-loaded', spec });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    for (const byte of [1, 5, 17, 26, 99]) d.send({ type: 'uwsgi-byte', generation: 1, byte });
    expect(d.v.instances[0]?.uwsgi).toEqual({ loaded: true, accepting: true, loyal: true, lastHeartbeatAt: d.now });
  });

  test('a missing heartbeat marks the instance hung: it is killed and respawned', () => {
    const spec = vassalSpec({ flavour: 'uwsgi', reload: 'in-place', process: processSpec({ protocol: 'uwsgi', ready: { kind: 'uwsgi' }, heartbeatTimeoutMs: 30_000 }) });
    const d = new Driver();
    d.send({ type: 'file-loaded', spec });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    d.send({ type: 'uwsgi-byte', generation: 1, byte: 5 });
    d.advance(29_000);
    d.send({ type: 'uwsgi-byte', generation: 1, byte: 26 });
    d.advance(29_000);
    expect(d.kinds()).toEqual([]);
    d.advance(1000);
    expect(d.kinds()).toEqual(['kill:1']);
    d.send({ type: 'exited', generation: 1, code: null, signal: 'SIGKILL' });
    expect(d.kinds()).toEqual(['spawn:2']);
  });

  test('sockets are held before the first spawn, and a bind error marks the vassal broken', () => {
    const spec = vassalSpec({ reload: 'overlap', sockets: [{ name: 'http', kind: 'tcp', host: '127.0.0.1', port: 8080 }] });
    const d = new Driver();
    d.send({ type: 'file-loaded', spec });
    expect(d.kinds()).toEqual(['hold-sockets']);
    const hold = d.effects.find((e) => e.type === 'hold-sockets');
    const key = hold && hold.type === 'hold-sockets' ? hold.key : '';
    d.send({ type: 'sockets-failed', key, error: 'socket http: cannot bind 127.0.0.1:8080: EADDRINUSE' });
    expect(stateOf(d.v, d.now)).toBe('broken');
    d.send({ type: 'file-loaded', spec: { ...spec, contentHash: 'h2' } });
    expect(d.kinds()).toEqual(['hold-sockets']);
    d.send({ type: 'sockets-held', key, addresses: [{ name: 'http', address: '127.0.0.1:8080' }] });
    expect(d.kinds()).toEqual(['spawn:1']);
  });
});

describe('uWSGI readiness', () => {
  const spec = vassalSpec({ flavour: 'uwsgi', reload: 'in-place', process: processSpec({ protocol: 'uwsgi', ready: { kind: 'uwsgi' } }) });

  test('is the accepting byte, normally milliseconds after loaded', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    d.send({ type: 'uwsgi-byte', generation: 1, byte: 1 });
    expect(stateOf(d.v, d.now)).toBe('starting');
    d.send({ type: 'uwsgi-byte', generation: 1, byte: 5 });
    expect(stateOf(d.v, d.now)).toBe('running');
  });

  test('a vassal without workers (zerg pool, router) is ready 3 s after loading', () => {
    const d = new Driver();
    d.send({ type: 'file-loaded', spec });
    d.send({ type: 'spawned', generation: 1, pid: 101 });
    d.send({ type: 'uwsgi-byte', generation: 1, byte: 1 });
    expect(d.wakeAt).toBe(d.now + 3000);
    d.advance(2999);
    expect(stateOf(d.v, d.now)).toBe('starting');
    d.advance(1);
    expect(stateOf(d.v, d.now)).toBe('running');
    expect(d.emitted('ready')[0]).toMatch(/zerg pool/);
  });
});
