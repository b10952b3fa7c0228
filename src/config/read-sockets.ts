// `sockets`: name -> address, or name -> {address, mode, owner, group} for unix sockets.
import { describeValue, isMapping } from './describe-value.js';
import { readAccountKey } from './read-account-keys.js';
import type { Report } from './report.js';
import { rejectUnknownKeys } from './unknown-keys.js';
import { parseSocketAddress } from './socket-address.js';
import type { WrittenSocket } from './written-vassal.js';

const SOCKET_NAME = /^[A-Za-z0-9_-]+$/;
const DEFAULT_UNIX_MODE = 0o660;
const SOCKET_KEYS = ['address', 'path', 'mode', 'owner', 'group'];
/** Keys that only a unix socket's file can have. */
const FILE_KEYS = ['mode', 'owner', 'group'] as const;

// Read the written sockets, resolving relative unix paths against baseDir; duplicates are errors
export function readSockets(raw: unknown, key: string, report: Report, baseDir: string): WrittenSocket[] | undefined {
  if (!isMapping(raw)) {
    report.error(key, `expected a mapping of socket names to addresses, like { http: "127.0.0.1:8080" }, got ${describeValue(raw)}`);
    return undefined;
  }
  const sockets: WrittenSocket[] = [];
  let ok = true;
  for (const [name, value] of Object.entries(raw)) {
    const socket = readSocket(name, value, `${key}.${name}`, report, baseDir);
    if (socket === undefined) ok = false;
    else if (isDuplicate(socket, sockets, `${key}.${name}`, report)) ok = false;
    else sockets.push(socket);
  }
  return ok ? sockets : undefined;
}

function readSocket(name: string, raw: unknown, key: string, report: Report, baseDir: string): WrittenSocket | undefined {
  if (!SOCKET_NAME.test(name)) {
    report.error(key, 'expected a socket name made of letters, digits, "_" and "-"');
    return undefined;
  }
  const fields: Record<string, unknown> = isMapping(raw) ? raw : { address: raw };
  rejectUnknownKeys(fields, key, SOCKET_KEYS, report);
  // `path: /run/x.sock` is the unix address written as nginx and systemd's ListenStream= write it.
  if (fields.path !== undefined && fields.address !== undefined) {
    report.error(`${key}.path`, 'give either `address` or `path` (a unix socket path), not both');
    return undefined;
  }
  const addressKey = fields.path === undefined ? 'address' : 'path';
  const written = fields.path === undefined ? fields.address : typeof fields.path === 'string' ? `unix:${fields.path}` : fields.path;
  const parsed = parseSocketAddress(written, baseDir);
  if (!parsed.ok) {
    report.error(isMapping(raw) ? `${key}.${addressKey}` : key, parsed.message);
    return undefined;
  }
  const { address } = parsed;
  if (address.kind === 'tcp') {
    const fileKeys = FILE_KEYS.filter((k) => fields[k] !== undefined);
    if (fileKeys.length === 0) return { name, ...address };
    for (const k of fileKeys) report.error(`${key}.${k}`, `${k === 'owner' ? 'an owner' : `a ${k}`} applies only to unix sockets; remove it`);
    return undefined;
  }
  const mode = fields.mode === undefined ? DEFAULT_UNIX_MODE : readMode(fields.mode, `${key}.mode`, report);
  const owner = fields.owner === undefined ? undefined : readAccountKey(fields.owner, `${key}.owner`, 'user', report);
  const group = fields.group === undefined ? undefined : readAccountKey(fields.group, `${key}.group`, 'group', report);
  if (mode === undefined || (fields.owner !== undefined && owner === undefined) || (fields.group !== undefined && group === undefined)) return undefined;
  return { name, kind: 'unix', path: address.path, mode, ...(owner === undefined ? {} : { owner }), ...(group === undefined ? {} : { group }) };
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

function isDuplicate(socket: WrittenSocket, earlier: readonly WrittenSocket[], key: string, report: Report): boolean {
  const clash = earlier.find((other) =>
    socket.kind === 'unix'
      ? other.kind === 'unix' && other.path === socket.path
      : other.kind === 'tcp' && socket.port !== 0 && other.port === socket.port && other.host === socket.host,
  );
  if (clash) report.error(key, `expected a distinct address, got the same one as socket \`${clash.name}\``);
  return clash !== undefined;
}
