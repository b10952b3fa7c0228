import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { request } from 'node:http';
import type { LifecycleEvent } from '../../src/core/lifecycle-event.js';
import type { OutputLine } from '../../src/core/status.js';
import { MemorySupervisor, makeStatus } from './helpers/memory-supervisor.js';
import { httpRequest } from './helpers/raw-http.js';
import { serve, type Served } from './helpers/serve.js';
import { waitFor } from '../helpers/wait-for.js';

// The stream passes events through whole: any type will do, even one the core never sends.
function event(vassal: string, type: string, message = type): LifecycleEvent {
  return { at: Date.now(), vassal, type, message } as unknown as LifecycleEvent;
}

describe('streamed endpoints', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve(new MemorySupervisor([makeStatus('web'), makeStatus('worker')]));
  });
  afterAll(async () => {
    await s.stop();
  });

  test('GET /events streams each event as one JSON line as it happens', async () => {
    const controller = new AbortController();
    const received: LifecycleEvent[] = [];
    const before = s.supervisor.subscriberCount;
    const events = await s.client.events({ signal: controller.signal });
    const reading = (async () => {
      for await (const e of events) {
        received.push(e);
        if (received.length === 3) controller.abort();
      }
    })();
    await waitFor(() => s.supervisor.subscriberCount > before, { message: 'the server subscribed' });
    s.supervisor.emit(event('web', 'spawned'));
    await waitFor(() => received.length === 1, { message: 'first event arrives before any other is sent' });
    s.supervisor.emit(event('worker', 'ready'));
    s.supervisor.emit(event('web', 'exited'));
    await reading;
    expect(received.map((e) => `${e.vassal}:${e.type}`)).toEqual(['web:spawned', 'worker:ready', 'web:exited']);
    await waitFor(() => s.supervisor.subscriberCount === before, { message: 'the server unsubscribed after the client left' });
  });

  test('GET /events?vassal=NAME only sends that vassal’s events', async () => {
    const controller = new AbortController();
    const received: LifecycleEvent[] = [];
    const before = s.supervisor.subscriberCount;
    const events = await s.client.events({ vassal: 'worker', signal: controller.signal });
    const reading = (async () => {
      for await (const e of events) {
        received.push(e);
        if ((e.type as string) === 'last') controller.abort();
      }
    })();
    await waitFor(() => s.supervisor.subscriberCount > before, { message: 'the server subscribed' });
    s.supervisor.emit(event('web', 'spawned'));
    s.supervisor.emit(event('worker', 'spawned'));
    s.supervisor.emit(event('worker', 'last'));
    await reading;
    expect(received.map((e) => `${e.vassal}:${e.type}`)).toEqual(['worker:spawned', 'worker:last']);
  });

  test('the raw /events answer is chunked application/x-ndjson', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = request({ socketPath: s.socketPath, path: '/events' }, (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
          if (text.endsWith('\n')) {
            expect(JSON.parse(text)).toMatchObject({ vassal: 'web', type: 'state' });
            req.destroy();
            resolve();
          }
        });
        setImmediate(() => s.supervisor.emit(event('web', 'state')));
      });
      req.on('error', reject);
      req.end();
    });
  });

  test('GET /events?vassal=unknown is a 404', async () => {
    await expect(s.client.events({ vassal: 'nope' })).rejects.toMatchObject({ code: 'EMP_ERR_UNKNOWN_VASSAL' });
  });

  test('GET /vassals/:name/logs answers the last n lines and ends', async () => {
    for (let i = 1; i <= 5; i++) s.supervisor.addOutput('web', `line ${i}`);
    const lines: OutputLine[] = [];
    for await (const l of await s.client.logs('web', { n: 3 })) lines.push(l);
    expect(lines.map((l) => l.line)).toEqual(['line 3', 'line 4', 'line 5']);
    const res = await httpRequest(s.socketPath, 'GET', '/vassals/web/logs?n=0');
    expect(res.text).toBe('');
  });

  test('GET /vassals/:name/logs?follow=1 keeps sending new lines until the client leaves', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    const stream = await s.client.logs('worker', { n: 10, follow: true, signal: controller.signal });
    const reading = (async () => {
      for await (const l of stream) {
        lines.push(l.line);
        if (l.line === 'two') controller.abort();
      }
    })();
    await waitFor(() => s.supervisor.followerCount('worker') === 1, { message: 'the server follows the output' });
    s.supervisor.addOutput('worker', 'one');
    s.supervisor.addOutput('worker', 'two', 'stderr');
    await reading;
    expect(lines).toEqual(['one', 'two']);
    await waitFor(() => s.supervisor.followerCount('worker') === 0, { message: 'the server stopped following' });
  });

  test('logs of an unknown vassal are a 404', async () => {
    await expect(s.client.logs('nope')).rejects.toMatchObject({ code: 'EMP_ERR_UNKNOWN_VASSAL' });
  });

  test('closing the server ends open streams', async () => {
    const local = await serve(new MemorySupervisor([makeStatus('web')]));
    const events = await local.client.events();
    const done = (async () => {
      const seen: LifecycleEvent[] = [];
      for await (const e of events) seen.push(e);
      return seen;
    })();
    await waitFor(() => local.supervisor.subscriberCount === 2, { message: 'metrics and the stream subscribed' });
    await local.stop();
    expect(await done).toEqual([]);
    expect(local.supervisor.subscriberCount).toBe(0);
  });
});
