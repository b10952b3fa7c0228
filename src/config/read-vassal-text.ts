// The file-system half of loading: stat, size limit, read, and refusing what is not UTF-8 text.
import { closeSync, constants, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { transientReadErrno } from '../lib/transient-errors.js';
import { MAX_VASSAL_FILE_BYTES } from './spec.js';

/** Owner and mode of the file that was read (the target of a symlink), from the same open file as the text. */
export interface FileOwnership {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

type VassalText =
  | { readonly ok: true; readonly bytes: Buffer; readonly text: string; readonly owner: FileOwnership }
  | { readonly ok: false; readonly missing: boolean; readonly message: string; readonly transient?: true };

const utf8 = new TextDecoder('utf-8', { fatal: true });

// Read a vassal file as text, or say in one sentence why it cannot be a vassal file. The reads
// are synchronous: a vassal file is a small local file (at most 1 MiB), and the five thread-pool
// round trips of fs/promises (stat, open, fstat, read, close) cost about ten times the CPU of
// the system calls themselves, which showed when thousands of files arrived at once.
export async function readVassalText(file: string): Promise<VassalText> {
  let bytes: Buffer;
  let owner: FileOwnership;
  try {
    // Devices, FIFOs and sockets are refused before they are opened (opening one can have effects).
    const first = statSync(file);
    if (!first.isFile()) return refuse(`not a regular file (${kindOf(first)}); a vassal must be a file`);
    // One open file for the stat and the read, so the owner (tyrant mode) is the owner of this very text.
    // O_NONBLOCK: should a FIFO take the file's place meanwhile, opening it must not wait for a writer.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const info = fstatSync(fd);
      if (!info.isFile()) return refuse(`not a regular file (${kindOf(info)}); a vassal must be a file`);
      if (info.size > MAX_VASSAL_FILE_BYTES) return refuse(tooLarge(info.size));
      owner = { uid: info.uid, gid: info.gid, mode: info.mode & 0o7777 };
      bytes = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, missing: true, message: 'file does not exist' };
    // Errors of the host rather than the file (out of descriptors, memory or time) are retried.
    if (transientReadErrno(error) !== null) return { ok: false, missing: false, transient: true, message: `cannot read the file now: ${(error as Error).message}` };
    return refuse(`cannot read the file: ${error instanceof Error ? error.message : String(error)}`);
  }
  // The file may have grown between stat and read.
  const text = vassalTextOf(bytes);
  return text.ok ? { ...text, owner } : text;
}

// The checks of a vassal's bytes wherever they come from (a file, an etcd key): size, not
// empty, UTF-8 text.
export function vassalTextOf(bytes: Buffer): { readonly ok: true; readonly bytes: Buffer; readonly text: string } | { readonly ok: false; readonly missing: false; readonly message: string } {
  if (bytes.length > MAX_VASSAL_FILE_BYTES) return refuse(tooLarge(bytes.length));
  if (bytes.length === 0) return refuse('file is empty');
  const text = decode(bytes);
  if (text === undefined) return refuse('not a text file (it holds NUL bytes or invalid UTF-8); vassal files are UTF-8 YAML, INI or JSON');
  if (text.trim() === '') return refuse('file is empty (only whitespace)');
  return { ok: true, bytes, text };
}

function decode(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function refuse(message: string): { readonly ok: false; readonly missing: false; readonly message: string } {
  return { ok: false, missing: false, message };
}

function tooLarge(size: number): string {
  return `file is larger than 1 MiB (${size} bytes); vassal files are small configs`;
}

function kindOf(info: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  return 'a device or special file';
}
