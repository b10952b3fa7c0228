// systemd's NOTIFY_SOCKET for instances that speak sd_notify (READY=1, STATUS=…) as datagrams.
// Node has no AF_UNIX datagram sockets, so this uses the optional `unix-dgram` addon. It does
// not tell which process sent a datagram, so every instance gets a socket of its own.
import { mkdirSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

interface DgramSocket {
  on(event: 'message', listener: (buf: Buffer) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  bind(path: string): void;
  close(): void;
}
type UnixDgram = { createSocket(type: 'unix_dgram'): DgramSocket };

let addon: UnixDgram | null | undefined;

// The addon, or null when it is not installed or did not build.
export function notifySocketSupport(): UnixDgram | null {
  if (addon === undefined) {
    try {
      addon = createRequire(import.meta.url)('unix-dgram') as UnixDgram;
    } catch {
      addon = null;
    }
  }
  return addon;
}

export interface NotifySocket {
  readonly path: string;
  close(): void;
}

// Binds a datagram socket at `path` and hands each line of every datagram to `onLine`.
export function openNotifySocket(path: string, onLine: (line: string) => void, onError: (err: Error) => void): NotifySocket | null {
  const dgram = notifySocketSupport();
  if (!dgram) return null;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    unlinkSync(path); // left by an instance of a crashed emperor
  } catch {
    // not there
  }
  const socket = dgram.createSocket('unix_dgram');
  socket.on('error', onError);
  socket.on('message', (buf) => {
    for (const line of buf.toString('utf8').split('\n')) if (line) onLine(line);
  });
  socket.bind(path);
  return {
    path,
    close() {
      socket.close();
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
}
