// Client side of NDJSON streams: yields one parsed value per line until the stream ends or is aborted.
import type { IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';

export async function* readNdjson<T>(res: IncomingMessage, signal?: AbortSignal): AsyncGenerator<T> {
  const onAbort = (): void => {
    res.destroy();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const lines = createInterface({ input: res, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      yield JSON.parse(line) as T;
    }
  } catch (err) {
    if (!signal?.aborted && !isPrematureClose(err)) throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    lines.close();
    res.destroy();
  }
}

function isPrematureClose(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || (err as Error | undefined)?.name === 'AbortError';
}
