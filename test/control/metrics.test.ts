import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { MemorySupervisor, makeStatus } from './helpers/memory-supervisor.js';
import { httpRequest } from './helpers/raw-http.js';
import { parsePrometheus, sampleValue } from './helpers/prometheus.js';
import { serve, type Served } from './helpers/serve.js';
import { VASSAL_STATE_NAMES } from '../../src/core/status.js';

describe('GET /metrics', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve(new MemorySupervisor([
      makeStatus('web', { restarts: 3, uptime: 120 }),
      makeStatus('worker', { state: 'throttled', pid: null, uptime: null, throttleDelayMs: 4000 }),
    ]));
  });
  afterAll(async () => {
    await s.stop();
  });

  test('answers Prometheus text with the fleet series', async () => {
    const res = await httpRequest(s.socketPath, 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const parsed = parsePrometheus(res.text);
    for (const state of VASSAL_STATE_NAMES) {
      const expected = state === 'running' || state === 'throttled' ? 1 : 0;
      expect({ state, value: sampleValue(parsed, 'emperor_vassals', { state }) }).toEqual({ state, value: expected });
    }
    expect(sampleValue(parsed, 'emperor_vassal_restarts_total', { vassal: 'web' })).toBe(3);
    expect(sampleValue(parsed, 'emperor_instance_uptime_seconds', { vassal: 'web' })).toBe(120);
    expect(sampleValue(parsed, 'emperor_vassal_ready', { vassal: 'web' })).toBe(1);
    expect(sampleValue(parsed, 'emperor_vassal_ready', { vassal: 'worker' })).toBe(0);
    expect(sampleValue(parsed, 'emperor_throttle_delay_seconds', { vassal: 'worker' })).toBe(4);
    expect(parsed.types.get('emperor_vassals')).toBe('gauge');
    expect(parsed.types.get('emperor_vassal_restarts_total')).toBe('counter');
    expect(parsed.types.get('process_cpu_seconds_total')).toBe('counter');
    expect(parsed.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
  });

  test('counts spawned and exited events per vassal', async () => {
    await s.client.act('web', 'stop');
    await s.client.act('web', 'start');
    await s.client.act('web', 'reload');
    const parsed = parsePrometheus(await s.client.metrics());
    expect(sampleValue(parsed, 'emperor_spawns_total', { vassal: 'web' })).toBe(2);
    expect(sampleValue(parsed, 'emperor_exits_total', { vassal: 'web' })).toBe(1);
    expect(parsed.types.get('emperor_spawns_total')).toBe('counter');
  });

  test('a vassal that is gone disappears from the per-vassal series', async () => {
    s.supervisor.vassals.delete('worker');
    const parsed = parsePrometheus(await s.client.metrics());
    expect(sampleValue(parsed, 'emperor_vassal_ready', { vassal: 'worker' })).toBeUndefined();
    expect(sampleValue(parsed, 'emperor_vassals', { state: 'throttled' })).toBe(0);
  });
});
