// Client side of NDJSON streams: yields one parsed value per line until the stream ends or is aborted.
import type { IncomingMessage } from 'node:http';

export async function* readNdjson<T>(res: IncomingMessage, signal?: AbortSignal): AsyncGenerator<T> {
  const onAbort = (): void => {
    res.destroy();
  };
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let pending = '';
  try {
    for await (const chunk of res) {
      pending += (chunk as Buffer).toString('utf8');
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line !== '') yield JSON.parse(line) as T;
      }
    }
    if (pending.trim() !== '') yield JSON.parse(pending) as T;
  } catch (err) {
    if (!signal?.aborted && !isPrematureClose(err)) throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    res.destroy();
  }
}

function isPrematureClose(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'ABORT_ERR' || (err as Error | undefined)?.name === 'AbortError';
}
