// The dashboard's endpoints: the page and its assets (all served by the emperor: no CDN, no
// network fetch), GET /session (what this browser may do) and POST /login (token -> cookie).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmperorError } from '../../errors.js';
import { parseJsonObject, readBody } from '../read-body.js';
import { sendJson } from '../respond.js';
import type { Route } from '../route.js';
import { logIn, sessionInfo } from './http-access.js';

const ASSET_DIR = join(import.meta.dirname, '..', '..', '..', 'assets', 'dashboard');
const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};
// The page may load only what the emperor serves, and may not be framed by another site.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const cache = new Map<string, Buffer>();

function asset(name: string): Buffer {
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(join(ASSET_DIR, name));
    cache.set(name, body);
  }
  return body;
}

function sendAsset(res: Parameters<Route['handle']>[0]['res'], name: string): void {
  const body = asset(name);
  res.writeHead(200, { 'content-type': TYPES[name] ?? 'application/octet-stream', 'content-length': body.length, ...SECURITY_HEADERS });
  res.end(body);
}

const page: Route = {
  method: 'GET',
  path: '/',
  handle({ res }) {
    sendAsset(res, 'index.html');
  },
};

const assets: Route = {
  method: 'GET',
  path: '/dashboard/:asset',
  handle({ res, params }) {
    const name = params['asset'] ?? '';
    if (!(name in TYPES) || name === 'index.html') throw new EmperorError('EMP_ERR_NO_ENDPOINT', `no dashboard asset ${name}`);
    sendAsset(res, name);
  },
};

const session: Route = {
  method: 'GET',
  path: '/session',
  handle({ req, res, access }) {
    sendJson(res, 200, sessionInfo(access, req, Date.now()), { 'cache-control': 'no-store' });
  },
};

const login: Route = {
  method: 'POST',
  path: '/login',
  async handle({ req, res, access }) {
    const body = parseJsonObject(await readBody(req, 4096));
    const cookie = logIn(access, body['token'], Date.now());
    sendJson(res, 200, { ok: true }, { 'set-cookie': cookie, 'cache-control': 'no-store' });
  },
};

export const dashboardRoutes: readonly Route[] = [page, assets, session, login];
