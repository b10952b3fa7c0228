// Server side of the NDJSON streams (/events, /vassals/:name/logs?follow=1).
import type { RouteContext } from './route.js';

/** Past this many unsent bytes the client is too slow and its connection is dropped. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface NdjsonStream {
  write(value: unknown): void;
  /** Runs once when the stream ends for any reason (client gone, server closing, end()). */
  onEnd(cleanup: () => void): void;
  end(): void;
}

// Starts a chunked `application/x-ndjson` answer, flushing headers at once. With `sse` it is a
// `text/event-stream` instead (one `data:` message per value), for a browser's EventSource.
export function startNdjson(ctx: RouteContext, opts: { sse?: boolean } = {}): NdjsonStream {
  const { req, res } = ctx; // req 'close' fires once the request body is read, so only res 'close' means the client left
  const cleanups: (() => void)[] = [];
  let ended = false;
  const finish = (): void => {
    if (ended) return;
    ended = true;
    untrack();
    for (const cleanup of cleanups.splice(0)) cleanup();
    if (!res.writableEnded && !res.destroyed) res.end();
  };
  const untrack = ctx.trackStream(finish);
  res.writeHead(200, {
    'content-type': opts.sse ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  res.once('close', finish);
  res.once('error', finish);
  return {
    write(value) {
      if (ended || res.destroyed) return;
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        res.destroy();
        finish();
        return;
      }
      res.write(opts.sse ? `data: ${JSON.stringify(value)}\n\n` : `${JSON.stringify(value)}\n`);
    },
    onEnd(cleanup) {
      if (ended) cleanup();
      else cleanups.push(cleanup);
    },
    end: finish,
  };
}
