// --http ADDR:PORT and --http-token FILE: where the dashboard's TCP listener binds, and the
// token it requires. A non-loopback address without a token is refused: anyone who can reach
// it could read every vassal's status and output.
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { usageError } from './exit-codes.js';

/** Shorter tokens are refused: the token is the only thing between the network and the fleet. */
const MIN_TOKEN_LENGTH = 16;

export interface HttpListen {
  readonly host: string;
  readonly port: number;
  readonly token: string | null;
}

// Parses "127.0.0.1:8080", "[::1]:8080" or "localhost:8080" and reads the token file.
export function resolveHttpListen(address: string | undefined, tokenFile: string | undefined): HttpListen | undefined {
  if (address === undefined) {
    if (tokenFile !== undefined) throw usageError('--http-token needs --http ADDR:PORT');
    return undefined;
  }
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || host === undefined || port > 65535 || (host !== 'localhost' && isIP(host) === 0)) {
    throw usageError(`--http ${address}: expected ADDRESS:PORT with an IP address or localhost, e.g. 127.0.0.1:9090 or [::1]:9090`);
  }
  const token = tokenFile === undefined ? null : readToken(tokenFile);
  if (token === null && !isLoopback(host)) {
    throw usageError(`--http ${address}: not a loopback address, so --http-token FILE is required (anyone who can reach it could read every vassal's status and output)`);
  }
  return { host, port, token };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

// The first line of the file; it must be private to its owner (like an ssh key) and long enough.
function readToken(file: string): string {
  let text: string;
  try {
    if ((statSync(file).mode & 0o077) !== 0) throw usageError(`--http-token ${file}: readable or writable by group or others; chmod 600 it`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === undefined) throw err;
    throw usageError(`--http-token ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const token = (text.split('\n')[0] ?? '').trim();
  if (token.length < MIN_TOKEN_LENGTH) throw usageError(`--http-token ${file}: the token must be at least ${MIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 32 > ${file}\`)`);
  return token;
}
