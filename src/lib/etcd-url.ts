// `etcd://HOST:PORT[,HOST:PORT…]`: the etcd cluster of a fleet, as the etcd3 client wants it.
// With a path after it (--vassals), the key prefix of a source of vassals.
export type EtcdUrl = { readonly ok: true; readonly hosts: readonly string[] } | { readonly ok: false; readonly message: string };

export function parseEtcdUrl(text: string): EtcdUrl {
  const match = /^etcd:\/\/([^/]+)\/?$/.exec(text.trim());
  if (!match?.[1]) return { ok: false, message: `expected etcd://HOST:PORT[,HOST:PORT…], got '${text}' (the key prefix is --fleet-prefix)` };
  return hostsOf(match[1], text);
}

/** `etcd://HOST:PORT[,HOST:PORT…]/PREFIX/`: a source of vassals, each key under PREFIX a vassal file. */
export type EtcdVassalsUrl =
  | {
      readonly ok: true;
      readonly hosts: readonly string[];
      /** The key prefix, starting and ending with '/'. */
      readonly prefix: string;
      /** `etcd://HOST:PORT[,…]` as written: with a key after it, the name of a vassal in its errors. */
      readonly origin: string;
    }
  | { readonly ok: false; readonly message: string };

export function parseEtcdVassalsUrl(text: string): EtcdVassalsUrl {
  const match = /^etcd:\/\/([^/]+)(\/.*)$/.exec(text.trim());
  if (!match?.[1] || !match[2] || match[2] === '/') return { ok: false, message: `expected etcd://HOST:PORT[,HOST:PORT…]/PREFIX/ (each key under PREFIX a vassal file), got '${text}'` };
  const prefix = match[2].endsWith('/') ? match[2] : `${match[2]}/`;
  if (prefix.includes('//')) return { ok: false, message: `${text}: the key prefix ${prefix} has an empty segment ('//')` };
  const hosts = hostsOf(match[1], text);
  return hosts.ok ? { ok: true, hosts: hosts.hosts, prefix, origin: `etcd://${match[1]}` } : hosts;
}

function hostsOf(members: string, text: string): EtcdUrl {
  const hosts: string[] = [];
  for (const member of members.split(',')) {
    const hostPort = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(member);
    const port = Number(hostPort?.[2]);
    if (!hostPort || port < 1 || port > 65_535) return { ok: false, message: `'${member}' in ${text}: expected HOST:PORT` };
    hosts.push(`http://${hostPort[1]}:${port}`);
  }
  return { ok: true, hosts };
}
