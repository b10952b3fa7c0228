// Gunicorn's `bind` (HOST, HOST:PORT, unix:PATH, fd://FD) as a socket the emperor holds, and
// what gunicorn is told instead: TCP through `--bind fd://3`; a unix socket through LISTEN_FDS
// alone, because gunicorn unlinks a unix path given as fd:// when it exits, which would take
// the held socket's name away from the next instance.

export type HeldBind =
  | { readonly kind: 'held'; readonly address: string; readonly bindArgs: readonly string[]; readonly note?: string }
  | { readonly kind: 'passthrough'; readonly note: string }
  | { readonly kind: 'invalid'; readonly message: string };

export function heldBind(bind: string): HeldBind {
  if (bind.startsWith('fd://')) return { kind: 'passthrough', note: `bind = ${bind}: an inherited fd; kept as is, and the emperor holds no socket for it` };
  if (bind.startsWith('unix:')) return { kind: 'held', address: bind, bindArgs: [] };
  const m = /^(\[[^\]]+\]|[^:]*)(?::(\d+))?$/.exec(bind);
  if (!m) return { kind: 'invalid', message: `expected HOST:PORT, HOST or unix:PATH, got ${JSON.stringify(bind)}` };
  const host = m[1] ?? '';
  // Gunicorn's default port when only a host is given.
  const port = m[2] ?? '8000';
  const ip = host === 'localhost' ? '127.0.0.1' : host === '' ? '0.0.0.0' : host;
  if (!/^(\d{1,3}\.){3}\d{1,3}$|^\[.*\]$/.test(ip)) {
    return { kind: 'invalid', message: `the emperor binds IP addresses, not host names: write the address ${host} resolves to (e.g. 127.0.0.1:${port}), got ${JSON.stringify(bind)}` };
  }
  const note = host === 'localhost' ? `bind = ${bind}: held as ${ip}:${port} (the emperor binds addresses; localhost may also mean ::1 to gunicorn)` : undefined;
  return { kind: 'held', address: `${ip}:${port}`, bindArgs: ['--bind', 'fd://3'], ...(note ? { note } : {}) };
}
