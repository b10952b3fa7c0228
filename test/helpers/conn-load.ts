// HTTP load with a really new TCP connection per request (or keep-alive), on 127.0.0.1,
// bounded in time. autocannon keeps writing on a connection the server announced it will
// close, which uWSGI answers with a reset; this loop reads each response to the end first.
import http from 'node:http';

interface ConnLoadResult {
  readonly ok: number;
  readonly failed: number;
  readonly failures: Readonly<Record<string, number>>;
  /** The first few failures with their times, to set beside the emperor's log when a test fails. */
  readonly firstFailures: readonly string[];
}

export async function connectionLoad(port: number, opts: { seconds: number; workers?: number; keepAlive?: boolean; path?: string; /** Ends the load early once it returns true. */ until?: () => boolean }): Promise<ConnLoadResult> {
  const until = Date.now() + opts.seconds * 1000;
  const agent = opts.keepAlive ? new http.Agent({ keepAlive: true, maxSockets: opts.workers ?? 8 }) : false;
  let ok = 0;
  let failed = 0;
  const failures: Record<string, number> = {};
  const firstFailures: string[] = [];
  const fail = (why: string): void => {
    failed += 1;
    if (firstFailures.length < 5) firstFailures.push(`${new Date().toISOString()} ${why}`);
    failures[why] = (failures[why] ?? 0) + 1;
  };
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: opts.path ?? '/', agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) ok += 1;
          else fail(`HTTP ${res.statusCode}`);
          resolve();
        });
        res.on('error', (err: NodeJS.ErrnoException) => {
          fail(err.code ?? err.message);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        fail(err.code ?? err.message);
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: opts.workers ?? 8 }, async () => {
      while (Date.now() < until && !(opts.until?.() ?? false)) await one();
    }),
  );
  if (agent) agent.destroy();
  return { ok, failed, failures, firstFailures };
}
