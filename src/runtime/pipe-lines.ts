// Reads an instance's stdout or stderr into one buffer shared by every pipe of the emperor,
// and splits it into lines. Node's own pipe reading allocates a 64 KiB buffer per read and
// shrinks it to what was read; after a burst (300 MB in a minute) glibc kept those blocks in its
// free lists and the emperor stayed 30-40 MB bigger for good (measured; issue 18). With a user
// buffer (net.Socket's `onread`) a read allocates nothing: the splitter hands on views of it,
// valid while its callback runs (read-lines.ts), and whoever keeps a line copies it then. Every
// read is handled to its end before the next can start, so one buffer serves every pipe.
//
// Each read is followed by a pause of COALESCE_MS. A pipe read as soon as it is readable is read
// in tiny pieces: an instance writing 100-byte lines as fast as it can is met by one read and
// one log write per 3 or 4 lines, and that per-read cost was most of the emperor's CPU per line
// (measured: 88 000 reads for 300 000 lines). Left alone for a moment, a busy pipe gives tens of
// KiB per read (its own buffer bounds how far the writer gets meanwhile), while a quiet
// instance's single line is still read the moment it arrives: only reads that follow a read wait.
// A read that fills the whole buffer is not followed by a pause: the instance's 64 KiB pipe
// (output-pipes.ts) was full and its writer waiting. Measured with the log bench's flood app:
// 244k lines/s with the pause after every read, 307-316k without it after full reads, at the
// same CPU per line.
// The instance's output can also be held back altogether (a log file that cannot keep up): the
// pipe then fills and the instance waits.
import net from 'node:net';
import type { Readable } from 'node:stream';
import { LineSplitter, readLines, type OutputChunk } from './read-lines.js';

const READ_BUFFER_BYTES = 64 * 1024;
const COALESCE_MS = 1;
let shared: Buffer | null = null;

export interface PipeLines {
  /** Stops reading (the pipe fills and the writer waits) or reads on. */
  holdBack(held: boolean): void;
}

interface PipeHandle {
  readStop(): number;
  readStart(): number;
}

/** Reads `source`: a pipe's read end (an fd the reader then owns), or a child's stdio stream. */
export function readPipeLines(source: number | Readable | null | undefined, onChunk: (chunk: OutputChunk) => void): PipeLines {
  const stream = typeof source === 'number' ? null : source;
  const handle = (stream as unknown as { _handle?: Partial<PipeHandle> | null } | null | undefined)?._handle;
  if (typeof source !== 'number' && (!stream || !handle || typeof handle.readStop !== 'function' || typeof handle.readStart !== 'function')) {
    // Not a pipe of this process (or a Node without the handle): the stream's own reading.
    readLines(stream, onChunk);
    return { holdBack: (held) => void (held ? stream?.pause() : stream?.resume()) };
  }
  shared ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
  const split = new LineSplitter(onChunk);
  let held = false;
  let resting: NodeJS.Timeout | null = null;
  // A socket over the pipe that reads into the shared buffer. For a child's stdio stream it takes
  // over the stream's handle; the child's own socket is left without it and never read from.
  // (`handle` is a documented-internal option of net.Socket, the one child_process itself uses.)
  const options = {
    ...(typeof source === 'number' ? { fd: source } : { handle }),
    readable: true,
    writable: false,
    onread: {
      buffer: shared,
      callback: (n: number, buf: Uint8Array) => {
        split.push(Buffer.from(buf.buffer, buf.byteOffset, n));
        if (held || resting || socket.destroyed || n === READ_BUFFER_BYTES) return;
        socket.pause();
        resting = setTimeout(() => {
          resting = null;
          if (!held && !socket.destroyed) socket.resume();
        }, COALESCE_MS);
      },
    },
  };
  const socket = new net.Socket(options as unknown as net.SocketConstructorOpts);
  // The handle is this socket's alone now: the child's socket, which Node resumes when the child
  // exits, must neither restart reads behind the coalescing nor close the handle under us.
  if (stream) {
    (stream as unknown as { _handle: unknown })._handle = null;
    stream.on('error', () => undefined);
  }
  socket.on('end', () => split.end());
  socket.on('error', () => undefined);
  socket.on('close', () => {
    if (resting) clearTimeout(resting);
    resting = null;
  });
  return {
    holdBack: (h) => {
      held = h;
      if (socket.destroyed) return;
      if (h) socket.pause();
      else if (!resting) socket.resume();
    },
  };
}
