// `etcd://HOST:PORT[,HOST:PORT…]`: the etcd cluster of a fleet, as the etcd3 client wants it.
export type EtcdUrl = { readonly ok: true; readonly hosts: readonly string[] } | { readonly ok: false; readonly message: string };

export function parseEtcdUrl(text: string): EtcdUrl {
  const match = /^etcd:\/\/([^/]+)\/?$/.exec(text.trim());
  if (!match?.[1]) return { ok: false, message: `expected etcd://HOST:PORT[,HOST:PORT…], got '${text}' (the key prefix is --fleet-prefix)` };
  const hosts: string[] = [];
  for (const member of match[1].split(',')) {
    const hostPort = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(member);
    const port = Number(hostPort?.[2]);
    if (!hostPort || port < 1 || port > 65_535) return { ok: false, message: `'${member}' in ${text}: expected HOST:PORT` };
    hosts.push(`http://${hostPort[1]}:${port}`);
  }
  return { ok: true, hosts };
}
