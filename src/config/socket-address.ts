// Socket addresses as users write them: "127.0.0.1:8080", "[::1]:8080", ":8080", "unix:/run/app.sock".
import { isIPv4, isIPv6 } from 'node:net';
import path from 'node:path';
import { describeValue } from './describe-value.js';

type SocketAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

type AddressResult = { readonly ok: true; readonly address: SocketAddress } | { readonly ok: false; readonly message: string };

/** sun_path holds 108 bytes including the terminating NUL on Linux. */
const MAX_UNIX_PATH_BYTES = 107;
const EXPECTED = 'expected an address like "127.0.0.1:8080", "[::1]:8080", ":8080" or "unix:/run/app.sock"';

// Parse one written socket address; relative unix paths are resolved against baseDir
export function parseSocketAddress(raw: unknown, baseDir: string): AddressResult {
  if (typeof raw !== 'string') return { ok: false, message: `${EXPECTED}, got ${describeValue(raw)}` };
  const text = raw.trim();
  if (text.startsWith('unix:')) return unixAddress(text.slice('unix:'.length), baseDir, raw);
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d+)$/.exec(text);
  if (!match) return { ok: false, message: `${EXPECTED}, got ${describeValue(raw)}` };
  const [, v6, v4, portText = ''] = match;
  const port = Number(portText);
  if (port > 65535) return { ok: false, message: `expected a port from 0 to 65535 (0 picks a free one), got ${describeValue(raw)}` };
  if (v6 !== undefined) {
    return isIPv6(v6) ? tcp(v6, port) : { ok: false, message: `expected an IPv6 address inside [ ], got ${describeValue(raw)}` };
  }
  const host = v4 === '' || v4 === undefined ? '0.0.0.0' : v4;
  if (!isIPv4(host)) {
    return { ok: false, message: `expected an IPv4 address (e.g. 127.0.0.1, not a host name) before the port, got ${describeValue(raw)}` };
  }
  return tcp(host, port);
}

function tcp(host: string, port: number): AddressResult {
  return { ok: true, address: { kind: 'tcp', host, port } };
}

function unixAddress(written: string, baseDir: string, raw: string): AddressResult {
  if (written === '') return { ok: false, message: `expected a path after "unix:", got ${describeValue(raw)}` };
  const resolved = path.resolve(baseDir, written);
  const bytes = Buffer.byteLength(resolved);
  if (bytes > MAX_UNIX_PATH_BYTES) {
    return { ok: false, message: `expected a unix socket path of at most ${MAX_UNIX_PATH_BYTES} bytes, got ${bytes} bytes (${resolved}); use a shorter directory` };
  }
  return { ok: true, address: { kind: 'unix', path: resolved } };
}
