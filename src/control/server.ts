// The control API: HTTP/1.1 + JSON on a UNIX socket (mode 0600). See docs/api.md.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { chmod, chown, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { EmperorError } from '../errors.js';
import { createEmperorMetrics } from './metrics-registry.js';
import { sendError, sendThrown } from './respond.js';
import type { RouteContext } from './route.js';
import { matchRoute } from './router.js';
import { routes } from './routes/index.js';
import { authorize, type Access } from './dashboard/http-access.js';
import { claimSocketPath } from './socket-file.js';
import type { SupervisorPort } from './supervisor-port.js';

interface ControlServerOptions {
  readonly socketPath: string;
  readonly logger?: Logger;
  /** A group allowed to connect: the socket becomes 0660 and its directory 0750, both of this group. */
  readonly groupId?: number | undefined;
  /** The opt-in TCP listener of the dashboard (--http), and its token (--http-token) if any. */
  readonly http?: { readonly host: string; readonly port: number; readonly token: string | null } | undefined;
}

export interface ControlServer {
  close(): Promise<void>;
  readonly path: string;
  /** `host:port` of the --http listener, when there is one (port 0 is resolved). */
  readonly httpAddress: string | null;
}

const SOCKET_MODE = 0o600;
const GROUP_SOCKET_MODE = 0o660;

// Starts serving `port` on `opts.socketPath`; throws EMP_ERR_RUN_DIR_LOCKED when another emperor serves it.
export async function startControlServer(port: SupervisorPort, opts: ControlServerOptions): Promise<ControlServer> {
  const { socketPath: path, logger } = opts;
  await claimSocketPath(path, opts.groupId);
  const metrics = createEmperorMetrics(port);
  const streams = new Set<() => void>();
  const trackStream = (end: () => void): (() => void) => {
    streams.add(end);
    return () => streams.delete(end);
  };
  const serverFor = (access: Access): Server => {
    const server = createServer((req, res) => {
      void handleRequest(req, res, { port, metrics, logger, trackStream, access });
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket));
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    return server;
  };
  const servers = [serverFor({ kind: 'socket' })];
  let httpAddress: string | null = null;
  try {
    await listenPrivately(servers[0] as Server, path, opts.groupId);
    if (opts.http) {
      const tcp = serverFor({ kind: 'tcp', token: opts.http.token, sessions: new Map() });
      servers.push(tcp);
      httpAddress = await listenTcp(tcp, opts.http.host, opts.http.port);
      logger?.info({ http: httpAddress, token: opts.http.token !== null }, `dashboard on http://${httpAddress}/ (${opts.http.token === null ? 'read-only: no --http-token' : 'actions need the token'})`);
    }
  } catch (err) {
    for (const s of servers) s.close();
    metrics.dispose();
    throw err;
  }
  logger?.info({ socket: path }, 'control API listening');
  let closing: Promise<void> | undefined;
  return {
    path,
    httpAddress,
    close() {
      closing ??= Promise.all(servers.map((server) => new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setImmediate(() => server.closeAllConnections());
      }))).then(() => undefined);
      metrics.dispose();
      for (const end of [...streams]) end();
      return closing;
    },
  };
}

// Listens on host:port; resolves with the address actually bound ("127.0.0.1:41234", "[::1]:8080").
function listenTcp(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(new EmperorError('EMP_ERR_BAD_REQUEST', `--http ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'address in use' : err.message}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const a = server.address() as AddressInfo;
      resolve(a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`);
    });
  });
}

// Binds with umask 0177 so the socket is never reachable by others, then opens it to the
// control group if there is one, and checks its mode.
async function listenPrivately(server: Server, path: string, groupId: number | undefined): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(err.code === 'EADDRINUSE'
        ? new EmperorError('EMP_ERR_RUN_DIR_LOCKED', `another emperor is serving ${path}: stop it first or use --run-dir/--control`, { cause: err })
        : err);
    };
    server.once('error', onError);
    const previous = process.umask(0o177);
    try {
      server.listen(path, () => {
        server.off('error', onError);
        resolve();
      });
    } finally {
      process.umask(previous);
    }
  });
  const wanted = groupId === undefined ? SOCKET_MODE : GROUP_SOCKET_MODE;
  if (groupId !== undefined) await chown(path, process.getuid?.() ?? 0, groupId);
  await chmod(path, wanted);
  const mode = (await stat(path)).mode & 0o777;
  if (mode !== wanted) {
    server.close();
    throw new EmperorError('EMP_ERR_INTERNAL', `control socket ${path} has mode ${mode.toString(8)}, expected ${wanted.toString(8)}`);
  }
}

type Shared = Pick<RouteContext, 'port' | 'metrics' | 'logger' | 'trackStream' | 'access'>;

// Routes one request; nothing thrown here may reach the HTTP server.
async function handleRequest(req: IncomingMessage, res: ServerResponse, shared: Shared): Promise<void> {
  res.on('error', () => undefined);
  req.on('error', () => undefined);
  try {
    const url = new URL(req.url ?? '/', 'http://emperor');
    authorize(shared.access, req, url.pathname, Date.now());
    const match = matchRoute(routes, req.method ?? 'GET', url.pathname);
    if (match.kind === 'not-found') {
      sendError(res, 'EMP_ERR_NO_ENDPOINT', `no endpoint ${url.pathname}: see docs/api.md (GET /vassals, GET /events, GET /metrics, ...)`);
      req.resume();
      return;
    }
    if (match.kind === 'wrong-method') {
      sendError(res, 'EMP_ERR_METHOD_NOT_ALLOWED', `${req.method} is not accepted on ${url.pathname}: use ${match.allowed.join(' or ')}`, { allow: match.allowed.join(', ') });
      req.resume();
      return;
    }
    if (match.route.method === 'GET') req.resume();
    await match.route.handle({ ...shared, req, res, params: match.params, query: url.searchParams });
  } catch (err) {
    if (!(err instanceof EmperorError)) shared.logger?.error({ err, url: req.url }, 'control request failed');
    if (err instanceof EmperorError && err.code === 'EMP_ERR_BODY_TOO_LARGE') res.setHeader('connection', 'close');
    sendThrown(res, err);
  }
}

// Answers unparsable requests (bad request line, huge headers) with a JSON 4xx when the socket still allows it.
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = `${JSON.stringify({ error: { code: 'EMP_ERR_BAD_REQUEST', message: `malformed HTTP request: ${err.message}` } })}\n`;
  socket.end(`HTTP/1.1 ${status} Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
