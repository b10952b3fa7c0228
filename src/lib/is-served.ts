// Whether a process is accepting connections on a unix socket path.
import { connect } from 'node:net';

// True when something accepts connections on the socket at `path`; false when nobody listens
// (connection refused, or no such file). Any other error (EACCES, ENOTSOCK...) rejects with the
// connect error unchanged: whether the path is in use cannot be told.
export function isServed(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.destroy();
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') resolve(false);
      else reject(err);
    });
  });
}
