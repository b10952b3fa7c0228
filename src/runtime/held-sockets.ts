// Listening sockets the emperor binds once per vassal and keeps across every restart, so that
// connections wait in the kernel's accept queue while instances come and go.
//
// The emperor must never accept on them: a net.Server listening here would steal connections
// from the instances. So the socket is bound through a raw libuv handle that is never polled,
// and a short-lived helper process (which inherits the fd) calls listen(2) and exits before its
// event loop ever runs; the listening state belongs to the shared open file description.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import { getSystemErrorName } from 'node:util';
import type { SocketSpec } from '../config/spec.js';

interface RawHandle {
  bind(host: string, port: number): number;
  bind6(host: string, port: number, flags: number): number;
  getsockname(out: Record<string, unknown>): number;
  fd: number;
  close(): void;
}

// tcp_wrap / pipe_wrap are Node's own handle types (the cluster module holds shared handles the same way).
const bindings = process as unknown as { binding(name: string): Record<string, unknown> };
const tcpWrap = bindings.binding('tcp_wrap') as { TCP: new (type: number) => RawHandle; constants: { SERVER: number } };
const pipeWrap = bindings.binding('pipe_wrap') as { Pipe: new (type: number) => RawHandle & { bind(path: string): number }; constants: { SERVER: number } };

export interface HeldSocket {
  readonly spec: SocketSpec;
  readonly fd: number;
  /** What it is bound to, e.g. 127.0.0.1:8080 (the real port when 0 was asked for) or unix:/run/app.sock. */
  readonly address: string;
  close(): void;
}

const LISTEN_BACKLOG = 1024;

// The helper: listen(2) on every inherited fd from 3 on, then exit in the same tick.
const LISTEN_HELPER = `
const n = Number(process.argv[1]);
const tcp = process.binding('tcp_wrap'), pipe = process.binding('pipe_wrap');
const kinds = JSON.parse(process.argv[2]);
for (let i = 0; i < n; i++) {
  const h = kinds[i] === 'unix' ? new pipe.Pipe(pipe.constants.SERVER) : new tcp.TCP(tcp.constants.SERVER);
  let err = h.open(3 + i);
  if (!err) err = h.listen(${LISTEN_BACKLOG});
  if (err) { process.stderr.write('listen on fd ' + (3 + i) + ' failed: ' + err + '\\n'); process.exit(1); }
}
process.exit(0);
`;

// Binds and listens on all the sockets, or fails with a message naming the socket and the cause.
export async function bindSockets(specs: readonly SocketSpec[]): Promise<HeldSocket[]> {
  const held: HeldSocket[] = [];
  try {
    for (const spec of specs) held.push(bindOne(spec));
    if (held.length > 0) await listenInHelper(held);
    return held;
  } catch (err) {
    for (const h of held) h.close();
    throw err;
  }
}

function bindOne(spec: SocketSpec): HeldSocket {
  if (spec.kind === 'unix') {
    removeStaleUnixSocket(spec.path);
    const h = new pipeWrap.Pipe(pipeWrap.constants.SERVER);
    const err = h.bind(spec.path);
    if (err) {
      h.close();
      throw new Error(`socket ${spec.name}: cannot bind unix:${spec.path}: ${getSystemErrorName(err)}`);
    }
    chmodSync(spec.path, spec.mode);
    return { spec, fd: h.fd, address: `unix:${spec.path}`, close: () => closeUnix(h, spec.path) };
  }
  const h = new tcpWrap.TCP(tcpWrap.constants.SERVER);
  const v6 = spec.host.includes(':');
  const err = v6 ? h.bind6(spec.host, spec.port, 0) : h.bind(spec.host, spec.port);
  const out: Record<string, unknown> = {};
  h.getsockname(out);
  const port = Number(out.port ?? 0);
  // libuv defers EADDRINUSE to listen(): an unbound socket shows port 0 here.
  if (err || port === 0 || (spec.port !== 0 && port !== spec.port)) {
    h.close();
    const why = err ? getSystemErrorName(err) : 'EADDRINUSE (the address is already in use)';
    throw new Error(`socket ${spec.name}: cannot bind ${formatHost(spec.host)}:${spec.port}: ${why}`);
  }
  return { spec, fd: h.fd, address: `${formatHost(spec.host)}:${port}`, close: () => h.close() };
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function removeStaleUnixSocket(path: string): void {
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket()) throw new Error(`cannot bind unix:${path}: a file that is not a socket is in the way`);
  unlinkSync(path); // a socket file left by a dead process: nobody can be accepting on it through this path
}

function closeUnix(h: RawHandle, path: string): void {
  h.close();
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function listenInHelper(held: readonly HeldSocket[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const kinds = JSON.stringify(held.map((h) => h.spec.kind));
    const child = spawn(process.execPath, ['-e', LISTEN_HELPER, String(held.length), kinds], {
      stdio: ['ignore', 'ignore', 'pipe', ...held.map((h) => h.fd)],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`cannot listen on ${held.map((h) => h.address).join(', ')}: ${stderr.trim()}`))));
  });
}
