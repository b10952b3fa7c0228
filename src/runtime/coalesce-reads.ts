// A pipe read as soon as it is readable is read in tiny pieces: an instance writing 100-byte
// lines as fast as it can is met by one read(2), one stream 'data' event and one log write
// per 3 or 4 lines, and that per-read cost was most of the emperor's CPU per line (measured:
// 88 000 reads for 300 000 lines). So after a read the pipe is left alone for COALESCE_MS to
// fill: a busy pipe then gives ~20-60 KiB per read (the kernel's 64 KiB pipe buffer bounds how
// long the writer can go on meanwhile, which is the pipe's own back-pressure), while a quiet
// instance's single line is still read the moment it arrives (only reads that follow a read
// wait). Node has no public way to stop reading a pipe at once (pause() keeps reading up to
// the stream's high-water mark, one small read at a time), so this uses the pipe handle's
// readStop/readStart the way net.Socket itself does, and does nothing when they are absent.
import type { Readable } from 'node:stream';

const COALESCE_MS = 1;

interface PipeHandle {
  reading: boolean;
  readStop(): number;
  readStart(): number;
}

export function coalesceReads(stream: Readable): void {
  const handle = (stream as unknown as { _handle?: Partial<PipeHandle> | null })._handle;
  if (!handle || typeof handle.readStop !== 'function' || typeof handle.readStart !== 'function') return;
  const pipe = handle as PipeHandle;
  let timer: NodeJS.Timeout | null = null;
  // Stopped by us. The handle's `reading` flag stays true meanwhile, so that the stream does not
  // start reading again on its own right away; it is ours to restart.
  let stopped = false;
  const restart = (): void => {
    timer = null;
    // Paused by back-pressure meanwhile: restarted on 'resume'.
    if (!stopped || stream.destroyed || stream.isPaused()) return;
    stopped = false;
    pipe.readStart();
  };
  stream.on('data', () => {
    if (stopped || stream.destroyed || !pipe.reading) return;
    stopped = true;
    pipe.readStop();
    timer = setTimeout(restart, COALESCE_MS);
  });
  stream.on('resume', () => {
    if (stopped && !timer) restart();
  });
  stream.on('close', () => {
    if (timer) clearTimeout(timer);
    timer = null;
  });
}
