// Bounded HTTP load on 127.0.0.1 with autocannon: it stops by itself after `seconds`.
import autocannon from 'autocannon';
import { waitFor } from './wait-for.js';

interface LoadResult {
  readonly requests: number;
  readonly failed: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly p99: number;
  readonly max: number;
}

interface RunningLoad {
  readonly done: Promise<LoadResult>;
  /** Responses received so far (any status): shows that the load is really flowing. */
  responses(): number;
}

// Starts load against 127.0.0.1:port; with newConnections every request uses a fresh TCP connection.
export function startLoad(port: number, opts: { seconds: number; connections?: number; newConnections: boolean; path?: string }): RunningLoad {
  let responses = 0;
  const done = new Promise<LoadResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}${opts.path ?? '/'}`,
        connections: opts.connections ?? 8,
        duration: opts.seconds,
        timeout: 10,
        headers: opts.newConnections ? { connection: 'close' } : {},
      },
      (err, r) => {
        if (err) {
          reject(err);
          return;
        }
        resolve({
          requests: r.requests.total,
          failed: r.errors + r.timeouts + r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
          non2xx: r.non2xx,
          p99: r.latency.p99,
          max: r.latency.max,
        });
      },
    );
    instance.on('response', () => {
      responses += 1;
    });
  });
  return { done, responses: () => responses };
}

// Waits until `more` responses have come in beyond those received so far: the server really
// serves this load now.
export function moreResponses(load: RunningLoad, more: number, what: string): Promise<true> {
  const target = load.responses() + more;
  return waitFor(() => load.responses() >= target || undefined, { message: `${more} more responses: ${what}` });
}
