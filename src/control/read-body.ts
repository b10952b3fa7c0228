// Reads a small request body (at most MAX_BODY_BYTES) and parses it as JSON.
import type { IncomingMessage } from 'node:http';
import { EmperorError } from '../errors.js';

const MAX_BODY_BYTES = 64 * 1024;

// Resolves with the raw body; rejects with EMP_ERR_BODY_TOO_LARGE past the limit.
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(tooLarge(declared, limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume(); // drain and drop the rest while the answer is sent
        reject(tooLarge(size, limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

// Parses an optional JSON object body: empty means `{}`; anything but an object is refused.
export function parseJsonObject(raw: Buffer): Record<string, unknown> {
  const text = raw.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new EmperorError('EMP_ERR_BAD_REQUEST', `the request body is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EmperorError('EMP_ERR_BAD_REQUEST', `expected the request body to be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

function tooLarge(size: number, limit: number): EmperorError {
  return new EmperorError('EMP_ERR_BODY_TOO_LARGE', `the request body has ${size} bytes or more; the limit is ${limit} bytes`);
}
