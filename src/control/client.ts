// Client of the control API, used by the CLI (and by tests). One HTTP request per call.
import { request, type IncomingMessage } from 'node:http';
import { EmperorError, ErrorCodes, type ErrorCode } from '../errors.js';
import type { LifecycleEvent } from '../core/lifecycle-event.js';
import type { VassalAction } from '../core/command-types.js';
import type { FleetInfo, FleetNode, FleetRollEvent, OutputLine, VassalStatus } from '../core/status.js';
import type { ActionOutcome, BatchOutcome, EmperorInfo, LogsReopened, SupervisorPort } from './supervisor-port.js';
import { readNdjson } from './ndjson-reader.js';

interface StreamOptions {
  /** Aborting ends the stream (the iterator returns). */
  readonly signal?: AbortSignal;
}

export class ControlClient {
  readonly socketPath: string;

  constructor(socketPath: string) {
    this.socketPath = socketPath;
  }

  // Every vassal's status; `usage` adds CPU and memory of their process groups.
  async list(opts: { usage?: boolean } = {}): Promise<VassalStatus[]> {
    const body = (await this.json('GET', `/vassals${opts.usage ? '?usage=1' : ''}`)) as { vassals: VassalStatus[] };
    return body.vassals;
  }

  // One vassal's status; EMP_ERR_UNKNOWN_VASSAL when there is none by that name.
  async get(name: string, opts: { usage?: boolean } = {}): Promise<VassalStatus> {
    return (await this.json('GET', `/vassals/${encodeURIComponent(name)}${opts.usage ? '?usage=1' : ''}`)) as VassalStatus;
  }

  // Runs an action; a failed outcome (409 with an ActionOutcome) is returned, refusals throw.
  async act(name: string, action: VassalAction, opts: { wait?: boolean } = {}): Promise<ActionOutcome> {
    const query = opts.wait === false ? '?wait=0' : '';
    return (await this.json('POST', `/vassals/${encodeURIComponent(name)}/${action}${query}`)) as ActionOutcome;
  }

  // One action for several vassals in one request (stops go dependents first); each result
  // says whether it worked, refusals included, in the order of `names`.
  async actAll(names: readonly string[], action: VassalAction, opts: { wait?: boolean } = {}): Promise<BatchOutcome[]> {
    const query = opts.wait === false ? '?wait=0' : '';
    return ((await this.json('POST', `/actions/${action}${query}`, { names })) as { results: BatchOutcome[] }).results;
  }

  async info(): Promise<EmperorInfo> {
    return (await this.json('GET', '/emperor')) as EmperorInfo;
  }

  // Every node of the fleet with its vassals (from etcd, through this emperor).
  async fleet(): Promise<{ self: FleetInfo; nodes: FleetNode[] }> {
    return (await this.json('GET', '/fleet')) as { self: FleetInfo; nodes: FleetNode[] };
  }

  // Prometheus text.
  async metrics(): Promise<string> {
    const res = await this.send('GET', '/metrics');
    const text = await readText(res);
    if (res.statusCode !== 200) throw errorFromBody(res.statusCode ?? 0, text);
    return text;
  }

  // Lifecycle events as they happen; resolves once the server has subscribed (headers received).
  async events(opts: StreamOptions & { vassal?: string } = {}): Promise<AsyncIterable<LifecycleEvent>> {
    const query = opts.vassal === undefined ? '' : `?vassal=${encodeURIComponent(opts.vassal)}`;
    return this.stream<LifecycleEvent>(`/events${query}`, opts.signal);
  }

  // The last `n` lines of a vassal (null: of every vassal), none older than `since`, then new ones when `follow` is set.
  async logs(name: string | null, opts: StreamOptions & { n?: number; since?: number; follow?: boolean } = {}): Promise<AsyncIterable<OutputLine>> {
    const params = new URLSearchParams({ n: String(opts.n ?? 100) });
    if (opts.since !== undefined) params.set('since', String(Math.max(0, Math.floor(opts.since))));
    if (opts.follow) params.set('follow', '1');
    const path = name === null ? '/logs' : `/vassals/${encodeURIComponent(name)}/logs`;
    return this.stream<OutputLine>(`${path}?${params}`, opts.signal);
  }

  // Reopens every log file at its path (after logrotate moved them).
  async reopenLogs(): Promise<LogsReopened> {
    return (await this.json('POST', '/reopen-logs')) as LogsReopened;
  }

  // A rolling dance of `name` across the fleet: each node's steps and outcomes, then `done`.
  async fleetDance(name: string, opts: StreamOptions = {}): Promise<AsyncIterable<FleetRollEvent>> {
    return this.stream<FleetRollEvent>(`/fleet/dance/${encodeURIComponent(name)}`, opts.signal, 'POST');
  }

  private async stream<T>(path: string, signal: AbortSignal | undefined, method = 'GET'): Promise<AsyncIterable<T>> {
    const res = await this.send(method, path, signal);
    if (res.statusCode !== 200) throw errorFromBody(res.statusCode ?? 0, await readText(res));
    return readNdjson<T>(res, signal);
  }

  private async json(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await this.send(method, path, undefined, body);
    const text = await readText(res);
    const status = res.statusCode ?? 0;
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new EmperorError('EMP_ERR_INTERNAL', `the emperor answered ${method} ${path} with ${status} and no JSON: ${text.slice(0, 200)}`);
    }
    if (status >= 200 && status < 300) return answer;
    if (status === 409 && (isOutcome(answer) || isBatch(answer))) return answer;
    throw errorFromBody(status, text);
  }

  private send(method: string, path: string, signal?: AbortSignal, body?: unknown): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = { host: 'emperor', accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }) };
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.socketPath, method, path, headers, signal });
      req.once('response', resolve);
      req.once('error', (err: NodeJS.ErrnoException) => {
        if (err.name === 'AbortError') reject(err);
        else if (err.code && ['ECONNREFUSED', 'ENOENT', 'EACCES', 'ENOTSOCK', 'ECONNRESET', 'EPERM'].includes(err.code)) reject(this.unreachable(err));
        else reject(err);
      });
      req.end(payload);
    });
  }

  private unreachable(err: NodeJS.ErrnoException): EmperorError {
    return new EmperorError('EMP_ERR_UNREACHABLE', `no emperor at ${this.socketPath}: ${describeErrno(err)} (is it running? try --run-dir or EMPEROR_RUN_DIR)`, { cause: err });
  }
}

function describeErrno(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT': return 'no such socket file';
    case 'ECONNREFUSED': return 'connection refused';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTSOCK': return 'not a socket';
    case 'ECONNRESET': return 'connection reset';
    default: return err.message;
  }
}

function isBatch(body: unknown): body is { results: BatchOutcome[] } {
  return typeof body === 'object' && body !== null && Array.isArray((body as { results?: unknown }).results);
}

function isOutcome(body: unknown): body is ActionOutcome {
  return typeof body === 'object' && body !== null && typeof (body as ActionOutcome).ok === 'boolean' && typeof (body as ActionOutcome).message === 'string';
}

// Builds the EmperorError an `{error: {code, message}}` answer stands for.
function errorFromBody(status: number, text: string): EmperorError {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    const code = body.error?.code;
    if (code && code in ErrorCodes) return new EmperorError(code as ErrorCode, body.error?.message ?? code);
    if (body.error?.message) return new EmperorError('EMP_ERR_INTERNAL', `${code ?? status}: ${body.error.message}`);
  } catch {
    // not JSON: fall through
  }
  return new EmperorError('EMP_ERR_INTERNAL', `the emperor answered ${status}: ${text.slice(0, 200)}`);
}

function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.once('error', reject);
  });
}
