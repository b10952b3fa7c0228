// Bound-but-never-polled socket handles, for sockets the emperor holds without accepting on them.
//
// Why Node's internals: no public Node API binds a socket without also accepting connections
// on it. A net.Server that listens is polled by the emperor's own event loop and steals
// connections meant for the instances (measured: clients hang). libuv's tcp_wrap / pipe_wrap
// handles can be bound and left unpolled; the cluster module holds its shared handles the same
// way. test/runtime/raw-handles.test.ts fails loudly if a Node release takes them away.

export interface RawHandle {
  bind(host: string, port: number): number;
  bind6(host: string, port: number, flags: number): number;
  getsockname(out: Record<string, unknown>): number;
  readonly fd: number;
  close(): void;
}

export interface RawPipeHandle extends RawHandle {
  bind(path: string): number;
}

type Binding = { binding(name: string): Record<string, unknown> };

// Looked up at each call rather than at import, so that importing this module has no effect.
function binding<T>(name: string): T {
  return (process as unknown as Binding).binding(name) as T;
}

export function newTcpServerHandle(): RawHandle {
  const tcp = binding<{ TCP: new (type: number) => RawHandle; constants: { SERVER: number } }>('tcp_wrap');
  return new tcp.TCP(tcp.constants.SERVER);
}

export function newPipeServerHandle(): RawPipeHandle {
  const pipe = binding<{ Pipe: new (type: number) => RawPipeHandle; constants: { SERVER: number } }>('pipe_wrap');
  return new pipe.Pipe(pipe.constants.SERVER);
}
