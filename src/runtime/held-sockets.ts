// Listening sockets the emperor binds once per vassal and keeps across every restart, so that
// connections wait in the kernel's accept queue while instances come and go. The emperor binds
// them with its own privileges (root may bind ports below 1024) before any instance drops its
// own; unix socket files get their mode, owner and group here.
import { existsSync, lchownSync, lstatSync, unlinkSync } from 'node:fs';
import { getSystemErrorName } from 'node:util';
import type { SocketSpec } from '../core/spec.js';
import { isServed } from '../lib/is-served.js';
import type { ListenHelper } from './listen-helper.js';
import { newPipeServerHandle, newTcpServerHandle, type RawHandle, type RawPipeHandle } from './raw-handles.js';

export interface HeldSocket {
  readonly spec: SocketSpec;
  readonly fd: number;
  /** What it is bound to, e.g. 127.0.0.1:8080 (the real port when 0 was asked for) or unix:/run/app.sock. */
  readonly address: string;
  close(): void;
}

export type SocketBinder = (specs: readonly SocketSpec[]) => Promise<HeldSocket[]>;

// A binder that binds and listens on all the sockets, or fails naming the socket and the cause.
export function socketBinder(helper: ListenHelper): SocketBinder {
  return async (specs) => {
    const held: { socket: HeldSocket; handle: RawHandle }[] = [];
    try {
      for (const spec of specs) {
        if (spec.kind === 'unix') await removeStaleUnixSocket(spec.path);
        held.push(bindOne(spec));
      }
      for (const h of held) await helper.listen(h.handle, h.socket.address);
      return held.map((h) => h.socket);
    } catch (err) {
      for (const h of held) h.socket.close();
      throw err;
    }
  };
}

function bindOne(spec: SocketSpec): { socket: HeldSocket; handle: RawHandle } {
  if (spec.kind === 'unix') {
    const h = newPipeServerHandle();
    const err = bindWithMode(h, spec.path, spec.mode);
    if (err) {
      h.close();
      throw new Error(`socket ${spec.name}: cannot bind unix:${spec.path}: ${getSystemErrorName(err)}`);
    }
    try {
      // lchown, never chown: should the path be swapped for a symlink meanwhile (its directory may
      // belong to the vassal's user), no other file changes hands.
      if (spec.owner !== undefined || spec.group !== undefined) lchownSync(spec.path, spec.owner ?? -1, spec.group ?? -1);
    } catch (error) {
      closeUnix(h, spec.path);
      throw new Error(`socket ${spec.name}: cannot give unix:${spec.path} to uid ${spec.owner ?? '-'}, gid ${spec.group ?? '-'}: ${(error as Error).message}`);
    }
    return { handle: h, socket: { spec, fd: h.fd, address: `unix:${spec.path}`, close: () => closeUnix(h, spec.path) } };
  }
  const h = newTcpServerHandle();
  const v6 = spec.host.includes(':');
  const err = v6 ? h.bind6(spec.host, spec.port, 0) : h.bind(spec.host, spec.port);
  const out: Record<string, unknown> = {};
  h.getsockname(out);
  const port = Number(out['port'] ?? 0);
  // libuv defers EADDRINUSE to listen(): an unbound socket shows port 0 here.
  if (err || port === 0 || (spec.port !== 0 && port !== spec.port)) {
    h.close();
    const why = err ? getSystemErrorName(err) : 'EADDRINUSE (the address is already in use)';
    throw new Error(`socket ${spec.name}: cannot bind ${formatHost(spec.host)}:${spec.port}: ${why}`);
  }
  return { handle: h, socket: { spec, fd: h.fd, address: `${formatHost(spec.host)}:${port}`, close: () => h.close() } };
}

// The socket file is created with its mode through the umask: no window with other permissions,
// and no chmod that would follow a symlink put in its place. bind() is synchronous, so the
// emperor's umask is changed only for this one call.
function bindWithMode(h: RawPipeHandle, path: string, mode: number): number {
  const previous = process.umask(0o777 & ~mode);
  try {
    return h.bind(path);
  } finally {
    process.umask(previous);
  }
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
