import { describe, expect, test } from '@jest/globals';
import { parseSocketAddress } from '../../src/config/socket-address.js';

describe('parseSocketAddress', () => {
  test.each<[string, unknown]>([
    ['127.0.0.1:8080', { kind: 'tcp', host: '127.0.0.1', port: 8080 }],
    [':8080', { kind: 'tcp', host: '0.0.0.0', port: 8080 }],
    ['0.0.0.0:0', { kind: 'tcp', host: '0.0.0.0', port: 0 }],
    ['[::1]:8080', { kind: 'tcp', host: '::1', port: 8080 }],
    ['[::]:65535', { kind: 'tcp', host: '::', port: 65535 }],
    ['unix:/run/app.sock', { kind: 'unix', path: '/run/app.sock' }],
    ['unix:run/app.sock', { kind: 'unix', path: '/srv/vassals/run/app.sock' }],
  ])('%s is understood', (written, address) => {
    expect(parseSocketAddress(written, '/srv/vassals')).toEqual({ ok: true, address });
  });

  test.each<[unknown, string]>([
    ['127.0.0.1', 'expected an address like'],
    ['localhost:8080', 'expected an IPv4 address'],
    ['300.0.0.1:80', 'expected an IPv4 address'],
    ['[nope]:80', 'expected an IPv6 address'],
    ['::1:8080', 'expected an address like'],
    ['127.0.0.1:65536', 'expected a port from 0 to 65535'],
    ['127.0.0.1:-1', 'expected an address like'],
    ['unix:', 'expected a path after "unix:"'],
    [8080, 'got `8080` (number)'],
  ])('%p is rejected', (written, message) => {
    const result = parseSocketAddress(written, '/srv/vassals');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(message);
  });
});
