// Listening sockets the emperor binds once per vassal and keeps across every restart, so that
// connections wait in the kernel's accept queue while instances come and go.
//
// The emperor must never accept on them: a net.Server listening here would steal connections
// from the instances. So the socket is bound through a raw libuv handle that is never polled,
// and a helper process calls listen(2) on its own copy of the fd and closes it at once; the
// listening state belongs to the shared open file description, so it stays.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import { getSystemErrorName } from 'node:util';
import type { SocketSpec } from '../core/spec.js';
import { isServed } from '../control/socket-file.js';

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
  readonly handle: RawHandle;
  /** What it is bound to, e.g. 127.0.0.1:8080 (the real port when 0 was asked for) or unix:/run/app.sock. */
  readonly address: string;
  close(): void;
}

const LISTEN_BACKLOG = 1024;

// The helper receives each bound handle over its IPC channel, calls listen(2) on it and closes
// its own copy in the same tick, before its event loop could ever poll it. It is started on
// demand, serves bursts (1000 vassals dropped at once) and exits after a short idle time or as
// soon as the emperor goes away.
const LISTEN_HELPER = `
process.on('message', (msg, handle) => {
  const err = handle ? handle.listen(msg.backlog) : -9;
  if (handle) handle.close();
  process.send({ id: msg.id, err });
});
process.on('disconnect', () => process.exit(0));
`;
// Long enough that vassals dropped one after another do not each pay the helper's start (~70 ms).
const HELPER_IDLE_MS = 60_000;

interface ListenReply {
  readonly id: number;
  readonly err: number;
}

class ListenHelper {
  #child: ChildProcess | null = null;
  #nextId = 0;
  readonly #pending = new Map<number, (reply: ListenReply) => void>();
  #idle: NodeJS.Timeout | null = null;

  // Makes the socket behind `handle` listen; rejects with the errno name when it cannot.
  listen(handle: RawHandle, address: string): Promise<void> {
    const child = this.#ensure();
    if (this.#idle) clearTimeout(this.#idle);
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (reply) => {
        if (reply.err === 0) resolve();
        else reject(new Error(`cannot listen on ${address}: ${getSystemErrorName(reply.err)}`));
      });
      child.send({ id, backlog: LISTEN_BACKLOG }, handle as never, (err) => {
        if (err) this.#settle({ id, err: -9 });
      });
    });
  }

  #ensure(): ChildProcess {
    if (this.#child) return this.#child;
    const child = spawn(process.execPath, ['-e', LISTEN_HELPER], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    child.on('message', (reply: ListenReply) => this.#settle(reply));
    child.on('exit', () => {
      if (this.#child === child) this.#child = null;
      for (const id of [...this.#pending.keys()]) this.#settle({ id, err: -32 }); // EPIPE: helper gone
    });
    child.on('error', () => {});
    child.unref();
    child.channel?.unref();
    this.#child = child;
    return child;
  }

  #settle(reply: ListenReply): void {
    const done = this.#pending.get(reply.id);
    if (!done) return;
    this.#pending.delete(reply.id);
    done(reply);
    if (this.#pending.size === 0 && this.#child) {
      const child = this.#child;
      this.#idle = setTimeout(() => {
        if (this.#child === child && this.#pending.size === 0) child.disconnect();
      }, HELPER_IDLE_MS);
      this.#idle.unref();
    }
  }
}

const helper = new ListenHelper();

// Binds and listens on all the sockets, or fails with a message naming the socket and the cause.
export async function bindSockets(specs: readonly SocketSpec[]): Promise<HeldSocket[]> {
  const held: HeldSocket[] = [];
  try {
    for (const spec of specs) {
      if (spec.kind === 'unix') await removeStaleUnixSocket(spec.path);
      held.push(bindOne(spec));
    }
    for (const h of held) await helper.listen(h.handle, h.address);
    return held;
  } catch (err) {
    for (const h of held) h.close();
    throw err;
  }
}

function bindOne(spec: SocketSpec): HeldSocket {
  if (spec.kind === 'unix') {
    const h = new pipeWrap.Pipe(pipeWrap.constants.SERVER);
    const err = h.bind(spec.path);
    if (err) {
      h.close();
      throw new Error(`socket ${spec.name}: cannot bind unix:${spec.path}: ${getSystemErrorName(err)}`);
    }
    chmodSync(spec.path, spec.mode);
    return { spec, fd: h.fd, handle: h, address: `unix:${spec.path}`, close: () => closeUnix(h, spec.path) };
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
  return { spec, fd: h.fd, handle: h, address: `${formatHost(spec.host)}:${port}`, close: () => h.close() };
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

// A socket file left by a dead process is removed; one that a live process serves is never taken over.
async function removeStaleUnixSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  if (!lstatSync(path).isSocket()) throw new Error(`cannot bind unix:${path}: a file that is not a socket is in the way`);
  if (await isServed(path)) throw new Error(`cannot bind unix:${path}: another process is listening on it (EADDRINUSE)`);
  unlinkSync(path);
}

function closeUnix(h: RawHandle, path: string): void {
  h.close();
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
