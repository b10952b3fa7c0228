// Who may do what on each listener of the control API.
// - The UNIX socket (0600, or 0660 with --control-group): its file mode is the access control;
//   every request is allowed.
// - The TCP listener (--http): any local user, or the network, can connect, so
//   - without --http-token it is read-only (every GET, no POST), and only answers Host headers
//     that are an IP address or "localhost", so a web page cannot rebind a name of its own
//     to 127.0.0.1 and read the fleet through a visitor's browser;
//   - with --http-token every request needs the token: `Authorization: Bearer TOKEN` (scripts),
//     or the session cookie a browser gets from POST /login, whose POSTs must also carry the
//     session's CSRF token in `X-CSRF-Token`. The page itself, its assets, /session and /login
//     need nothing, since they reveal nothing.
// - On both, a browser's cross-site request is refused (the Origin of a POST must be the page's).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { EmperorError } from '../../errors.js';

export const SESSION_COOKIE = 'emperor_session';
const SESSION_MS = 12 * 3600_000;
const MAX_SESSIONS = 1000;

/** What /session tells the page: whether it may act, and the CSRF token for its POSTs. */
export interface SessionInfo {
  readonly access: 'full' | 'read-only' | 'login';
  readonly listener: 'socket' | 'tcp';
  readonly csrf: string | null;
}

export type Access =
  | { readonly kind: 'socket' }
  | { readonly kind: 'tcp'; readonly token: string | null; readonly sessions: Map<string, { csrf: string; expires: number }> };

/** Paths anyone who can connect may GET: the page, its assets, and what it needs to log in. */
function isPublic(method: string, path: string): boolean {
  if (method === 'POST') return path === '/login';
  return path === '/' || path === '/session' || path.startsWith('/dashboard/');
}

// Throws the refusal for a request this listener must not answer.
export function authorize(access: Access, req: IncomingMessage, path: string, now: number): void {
  const method = req.method ?? 'GET';
  refuseCrossSite(req, method);
  if (access.kind === 'socket') return;
  if (access.token === null) {
    refuseRebinding(req);
    if (method !== 'GET' && method !== 'HEAD') {
      throw new EmperorError('EMP_ERR_FORBIDDEN', 'the --http listener is read-only without --http-token: use the emperor CLI on this host, or restart the emperor with --http-token FILE');
    }
    return;
  }
  if (isPublic(method, path)) return;
  if (bearerMatches(req, access.token)) return;
  const session = sessionOf(access, req, now);
  if (!session) throw new EmperorError('EMP_ERR_UNAUTHORIZED', 'this listener needs the dashboard token: log in on the page, or send Authorization: Bearer TOKEN');
  if (method !== 'GET' && method !== 'HEAD' && !sameSecret(req.headers['x-csrf-token'], session.csrf)) {
    throw new EmperorError('EMP_ERR_FORBIDDEN', 'missing or wrong X-CSRF-Token: actions from the dashboard carry the token /session gave it');
  }
}

// What the page may do on this listener, for GET /session.
export function sessionInfo(access: Access, req: IncomingMessage, now: number): SessionInfo {
  if (access.kind === 'socket') return { access: 'full', listener: 'socket', csrf: null };
  if (access.token === null) return { access: 'read-only', listener: 'tcp', csrf: null };
  if (bearerMatches(req, access.token)) return { access: 'full', listener: 'tcp', csrf: null };
  const session = sessionOf(access, req, now);
  return session ? { access: 'full', listener: 'tcp', csrf: session.csrf } : { access: 'login', listener: 'tcp', csrf: null };
}

// POST /login with the token: a new session; returns its cookie header.
export function logIn(access: Access, token: unknown, now: number): string {
  if (access.kind !== 'tcp' || access.token === null) throw new EmperorError('EMP_ERR_BAD_REQUEST', 'this listener has no token to log in with');
  if (typeof token !== 'string' || !sameSecret(token, access.token)) throw new EmperorError('EMP_ERR_UNAUTHORIZED', 'wrong token');
  for (const [id, s] of access.sessions) if (s.expires <= now || access.sessions.size >= MAX_SESSIONS) access.sessions.delete(id);
  const id = randomBytes(32).toString('base64url');
  access.sessions.set(id, { csrf: randomBytes(32).toString('base64url'), expires: now + SESSION_MS });
  return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MS / 1000}`;
}

function sessionOf(access: Extract<Access, { kind: 'tcp' }>, req: IncomingMessage, now: number): { csrf: string } | undefined {
  const id = cookie(req, SESSION_COOKIE);
  const session = id === undefined ? undefined : access.sessions.get(id);
  if (!session || session.expires <= now) return undefined;
  return session;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function bearerMatches(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') && sameSecret(header.slice(7).trim(), token);
}

// Constant-time comparison of two secrets of any length.
function sameSecret(given: unknown, secret: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

// A browser says where a request comes from: a POST from another origin, or a cross-site
// fetch, is refused. Navigations (a link to the dashboard) are fine: they change nothing.
function refuseCrossSite(req: IncomingMessage, method: string): void {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (method !== 'GET' && method !== 'HEAD' && origin !== undefined && origin !== 'null' && host !== undefined) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = '';
    }
    if (originHost !== host) throw new EmperorError('EMP_ERR_FORBIDDEN', `cross-origin request from ${origin} refused`);
  }
  if (origin === 'null' && method !== 'GET' && method !== 'HEAD') throw new EmperorError('EMP_ERR_FORBIDDEN', 'request from an opaque origin refused');
  if (req.headers['sec-fetch-site'] === 'cross-site' && req.headers['sec-fetch-mode'] !== 'navigate') {
    throw new EmperorError('EMP_ERR_FORBIDDEN', 'cross-site request refused');
  }
}

// Without a token, only Host headers that name an address (or localhost) are answered.
function refuseRebinding(req: IncomingMessage): void {
  const host = req.headers.host ?? '';
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  if (name === 'localhost' || isIP(name) !== 0) return;
  throw new EmperorError('EMP_ERR_FORBIDDEN', `Host '${host}' refused: without --http-token the --http listener answers only an IP address or localhost`);
}
