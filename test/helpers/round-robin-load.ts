// A tiny HTTP load client for a site served by several nodes: it sends requests to each port
// in turn, a new TCP connection for every request, a few at a time, until stopped (or until
// `maxSeconds`, so that a test that fails midway never leaves it running). Every request that
// does not end in a 2xx answer counts as failed, with its reason kept.
import { request as httpRequest } from 'node:http';

export interface RoundRobinLoad {
  /** Answers so far per port. */
  answers(port: number): number;
  stop(): Promise<{ readonly ok: number; readonly failed: number; readonly failures: readonly string[] }>;
}

export function startRoundRobinLoad(ports: readonly number[], opts: { concurrency?: number; maxSeconds: number }): RoundRobinLoad {
  const answered = new Map<number, number>(ports.map((p) => [p, 0]));
  const failures: string[] = [];
  let ok = 0;
  let next = 0;
  let running = true;
  const until = Date.now() + opts.maxSeconds * 1000;
  const once = (port: number): Promise<void> =>
    new Promise((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 10_000, headers: { connection: 'close' } }, (res) => {
        res.resume();
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) {
            ok++;
            answered.set(port, (answered.get(port) ?? 0) + 1);
          } else failures.push(`${port}: HTTP ${res.statusCode}`);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => {
        failures.push(`${port}: ${err.message}`);
        resolve();
      });
      req.end();
    });
  const worker = async (): Promise<void> => {
    while (running && Date.now() < until) await once(ports[next++ % ports.length] ?? 0);
  };
  const workers = Array.from({ length: opts.concurrency ?? 4 }, () => worker());
  return {
    answers: (port) => answered.get(port) ?? 0,
    async stop() {
      running = false;
      await Promise.all(workers);
      return { ok, failed: failures.length, failures };
    },
  };
}
