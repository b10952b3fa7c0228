// Plain HTTP requests for tests: TCP on 127.0.0.1 or the control API on a UNIX socket, no pooling.
import http from 'node:http';

interface Reply {
  readonly status: number;
  readonly body: string;
  json<T = unknown>(): T;
}

export function request(opts: { port?: number; socketPath?: string; path: string; method?: string; body?: string; timeoutMs?: number }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: opts.port, socketPath: opts.socketPath, path: opts.path, method: opts.method ?? 'GET', agent: false, timeout: opts.timeoutMs ?? 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, json: () => JSON.parse(body) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
