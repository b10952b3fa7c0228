import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { MemorySupervisor, makeStatus } from './helpers/memory-supervisor.js';
import { httpRequest, rawExchange } from './helpers/raw-http.js';
import { serve, type Served } from './helpers/serve.js';

function errorOf(text: string): { code: string; message: string } {
  return (JSON.parse(text) as { error: { code: string; message: string } }).error;
}

describe('malformed requests to the control API', () => {
  let s: Served;
  beforeAll(async () => {
    s = await serve(new MemorySupervisor([makeStatus('web')]));
  });
  afterAll(async () => {
    await s.stop();
  });

  test('an unknown path is a 404 that names the path', async () => {
    const res = await httpRequest(s.socketPath, 'GET', '/nothing/here');
    expect(res.status).toBe(404);
    expect(errorOf(res.text)).toMatchObject({ code: 'EMP_ERR_NO_ENDPOINT' });
    expect(errorOf(res.text).message).toContain('/nothing/here');
  });

  test('a wrong method is a 405 with an Allow header', async () => {
    const res = await httpRequest(s.socketPath, 'DELETE', '/vassals');
    expect(res.status).toBe(405);
    expect(res.headers['allow']).toBe('GET');
    expect(errorOf(res.text)).toEqual({ code: 'EMP_ERR_METHOD_NOT_ALLOWED', message: 'DELETE is not accepted on /vassals: use GET' });
    expect((await httpRequest(s.socketPath, 'GET', '/vassals/web/stop')).status).toBe(405);
  });

  test('a body that is not JSON is a 400 that says so', async () => {
    const res = await httpRequest(s.socketPath, 'POST', '/vassals/web/reload', '{"wait": tru');
    expect(res.status).toBe(400);
    expect(errorOf(res.text).code).toBe('EMP_ERR_BAD_REQUEST');
    expect(errorOf(res.text).message).toMatch(/^the request body is not valid JSON: /);
  });

  test('JSON that is not an object, or has unknown keys or bad types, is a 400', async () => {
    for (const body of ['[1]', '"x"', '{"wait": "yes"}', '{"force": true}']) {
      const res = await httpRequest(s.socketPath, 'POST', '/vassals/web/reload', body);
      expect({ body, status: res.status, code: errorOf(res.text).code }).toEqual({ body, status: 400, code: 'EMP_ERR_BAD_REQUEST' });
    }
  });

  test('a body over 64 KiB is a 413', async () => {
    const res = await httpRequest(s.socketPath, 'POST', '/vassals/web/reload', Buffer.alloc(100 * 1024, 'a'));
    expect(res.status).toBe(413);
    expect(errorOf(res.text).code).toBe('EMP_ERR_BODY_TOO_LARGE');
  });

  test('a chunked body over 64 KiB without a length is a 413', async () => {
    const res = await httpRequest(s.socketPath, 'POST', '/vassals/web/reload', Buffer.alloc(80 * 1024, ' '), { 'transfer-encoding': 'chunked' });
    expect(res.status).toBe(413);
  });

  test('bad query parameters are a 400 that says what was expected', async () => {
    const res = await httpRequest(s.socketPath, 'GET', '/vassals/web/logs?n=lots');
    expect(res.status).toBe(400);
    expect(errorOf(res.text).message).toBe("expected ?n= to be a whole number from 0 to 100000, got 'lots'");
    expect((await httpRequest(s.socketPath, 'POST', '/vassals/web/stop?wait=maybe')).status).toBe(400);
  });

  test('broken percent-encoding in a name is a 400', async () => {
    const res = await httpRequest(s.socketPath, 'GET', '/vassals/%E0%A4%A');
    expect(res.status).toBe(400);
  });

  test('garbage instead of HTTP gets a 400 and the connection is closed', async () => {
    const answer = await rawExchange(s.socketPath, 'HELLO THERE\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('EMP_ERR_BAD_REQUEST');
  });

  test('a connection dropped mid-request does not hurt the server', async () => {
    await rawExchange(s.socketPath, 'POST /vassals/web/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"wa');
  });

  test('after all that the server still serves', async () => {
    expect((await s.client.list()).map((v) => v.name)).toEqual(['web']);
  });
});
