// Writing JSON answers and `{error: {code, message}}` bodies.
import type { ServerResponse } from 'node:http';
import { EmperorError, type ErrorCode } from '../errors.js';
import { statusForCode } from './http-status.js';

/** The body of every error answer. */
interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

// Sends one JSON document (unless the response is already under way or the peer is gone).
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) {
    if (!res.writableEnded) res.end();
    return;
  }
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

// Sends an error answer with the status that belongs to its code.
export function sendError(res: ServerResponse, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  const body: ErrorBody = { error: { code, message } };
  sendJson(res, statusForCode(code), body, headers);
}

// Turns anything thrown by a handler into an error answer; EmperorErrors keep their code.
export function sendThrown(res: ServerResponse, err: unknown): void {
  if (err instanceof EmperorError) {
    sendError(res, err.code, err.message);
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  sendError(res, 'EMP_ERR_INTERNAL', `internal error: ${message}`);
}
