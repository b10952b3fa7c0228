// A TCP proxy on 127.0.0.1 that can be cut like a network partition: blocked, it forwards
// nothing in either direction and holds new connections unanswered (packets lost, not refused),
// until it is opened again. Used to cut one emperor off etcd while the others still reach it.
import net from 'node:net';

export class TcpProxy {
  readonly #server: net.Server;
  readonly #pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  #blocked = false;
  port = 0;

  private constructor(targetPort: number) {
    this.#server = net.createServer((client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      const pair = { client, upstream };
      this.#pairs.add(pair);
      const end = (): void => {
        this.#pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
      client.on('data', (chunk) => {
        if (!this.#blocked) upstream.write(chunk);
      });
      upstream.on('data', (chunk) => {
        if (!this.#blocked) client.write(chunk);
      });
    });
  }

  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.#server.address() as net.AddressInfo).port;
    return proxy;
  }

  /** Drops every byte both ways, on open connections and new ones. */
  block(): void {
    this.#blocked = true;
  }

  /** Forwards again; connections that lost bytes meanwhile are closed, as a real peer would reset them. */
  unblock(): void {
    this.#blocked = false;
    for (const p of this.#pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
  }

  async close(): Promise<void> {
    for (const p of this.#pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
