// The vassal keys under an etcd prefix, read once, for `emperor check --vassals etcd://…/PREFIX/`
// (the daemon follows them with runtime/etcd-vassals instead).
import { isEtcdVassalKey } from '../config/vassal-files.js';
import type { EtcdVassalsUrl } from '../lib/etcd-url.js';

const READ_DEADLINE_MS = 5000;

export interface EtcdVassalKey {
  /** etcd://HOST:PORT[,…]/PREFIX/KEY: the vassal's name in its errors, as in the daemon. */
  readonly file: string;
  readonly bytes: Buffer;
}

// Sorted by key, like a directory's files; rejects when etcd does not answer in time.
export async function readEtcdVassalKeys(url: Extract<EtcdVassalsUrl, { ok: true }>): Promise<EtcdVassalKey[]> {
  // Imported here only: etcd3 and gRPC are slow to load for every other command.
  const { Etcd3 } = await import('etcd3');
  // One read of every key (up to 1 MiB each): more than gRPC's default 4 MiB per message.
  const client = new Etcd3({ hosts: [...url.hosts], dialTimeout: 2000, grpcOptions: { 'grpc.max_receive_message_length': -1 } });
  try {
    const read = await client.getAll().prefix(url.prefix).options({ deadline: Date.now() + READ_DEADLINE_MS }).exec();
    return read.kvs
      .map((kv) => ({ key: kv.key.toString(), bytes: kv.value }))
      .filter((kv) => isEtcdVassalKey(url.prefix, kv.key))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((kv) => ({ file: `${url.origin}${kv.key}`, bytes: kv.bytes }));
  } finally {
    client.close();
  }
}
