// An etcd client error as a person should read it. grpc-js ends its messages with
// "Resolution note: …", empty when it has nothing to add, which read as a message cut off.
export function etcdErrorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*Resolution note:\s*$/, '').trim();
}
