// `sockets`: name -> address, or name -> {address, mode} for unix sockets.
import { describeValue, isMapping } from './describe-value.js';
import type { Report } from './report.js';
import { parseSocketAddress } from './socket-address.js';
import type { SocketSpec } from '../core/spec.js';

const SOCKET_NAME = /^[A-Za-z0-9_-]+$/;
const DEFAULT_UNIX_MODE = 0o660;

// Read the written sockets, resolving relative unix paths against baseDir; duplicates are errors
export function readSockets(raw: unknown, key: string, report: Report, baseDir: string): SocketSpec[] | undefined {
  if (!isMapping(raw)) {
    report.error(key, `expected a mapping of socket names to addresses, like { http: "127.0.0.1:8080" }, got ${describeValue(raw)}`);
    return undefined;
  }
  const sockets: SocketSpec[] = [];
  let ok = true;
  for (const [name, value] of Object.entries(raw)) {
    const socket = readSocket(name, value, `${key}.${name}`, report, baseDir);
    if (socket === undefined) ok = false;
    else if (isDuplicate(socket, sockets, `${key}.${name}`, report)) ok = false;
    else sockets.push(socket);
  }
  return ok ? sockets : undefined;
}

function readSocket(name: string, raw: unknown, key: string, report: Report, baseDir: string): SocketSpec | undefined {
  if (!SOCKET_NAME.test(name)) {
    report.error(key, 'expected a socket name made of letters, digits, "_" and "-"');
    return undefined;
  }
  const { address: rawAddress, mode: rawMode } = isMapping(raw) ? raw : { address: raw, mode: undefined };
  if (isMapping(raw)) {
    for (const extra of Object.keys(raw).filter((k) => k !== 'address' && k !== 'mode')) {
      report.warn(`${key}.${extra}`, 'unknown key (ignored); known keys: address, mode');
    }
  }
  const parsed = parseSocketAddress(rawAddress, baseDir);
  if (!parsed.ok) {
    report.error(isMapping(raw) ? `${key}.address` : key, parsed.message);
    return undefined;
  }
  const { address } = parsed;
  if (address.kind === 'tcp') {
    if (rawMode === undefined) return { name, ...address };
    report.error(`${key}.mode`, 'a mode applies only to unix sockets; remove it');
    return undefined;
  }
  const mode = rawMode === undefined ? DEFAULT_UNIX_MODE : readMode(rawMode, `${key}.mode`, report);
  return mode === undefined ? undefined : { name, kind: 'unix', path: address.path, mode };
}

// Modes are octal strings: a YAML number like 0660 or 660 would be read as decimal and mean something else.
function readMode(raw: unknown, key: string, report: Report): number | undefined {
  const match = typeof raw === 'string' ? /^(?:0o?)?([0-7]{1,4})$/i.exec(raw.trim()) : null;
  const mode = match ? parseInt(match[1] ?? '', 8) : Number.NaN;
  if (mode >= 0 && mode <= 0o777) return mode;
  const hint = typeof raw === 'number' ? ' (quote it, so it is not read as a decimal number)' : '';
  report.error(key, `expected an octal file mode string like "0660"${hint}, got ${describeValue(raw)}`);
  return undefined;
}

function isDuplicate(socket: SocketSpec, earlier: readonly SocketSpec[], key: string, report: Report): boolean {
  const clash = earlier.find((other) =>
    socket.kind === 'unix'
      ? other.kind === 'unix' && other.path === socket.path
      : other.kind === 'tcp' && socket.port !== 0 && other.port === socket.port && other.host === socket.host,
  );
  if (clash) report.error(key, `expected a distinct address, got the same one as socket \`${clash.name}\``);
  return clash !== undefined;
}
