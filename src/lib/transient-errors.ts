// Errors that say the host is short of something for a while (file descriptors, memory),
// not that the thing asked for is wrong: they are retried, never taken as final.
import { readdirSync } from 'node:fs';
import { formatLimit, readFdLimit } from './open-file-limit.js';

const TRANSIENT = ['EMFILE', 'ENFILE', 'EAGAIN', 'ENOMEM'] as const;
// A read may also be interrupted, or meet a file another program holds for a moment; neither says
// the file is bad. Spawn and bind do not get these two: there they would mean a real fault.
const TRANSIENT_ON_READ = [...TRANSIENT, 'EINTR', 'EBUSY'] as const;

// The transient errno named in an error (its code, or its message), or null.
export function transientErrno(err: unknown, codes: readonly string[] = TRANSIENT): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && codes.includes(code)) return code;
  const text = err instanceof Error ? err.message : String(err);
  return codes.find((c) => new RegExp(`\\b${c}\\b`).test(text)) ?? null;
}

// The same for an error met while reading a file.
export function transientReadErrno(err: unknown): string | null {
  return transientErrno(err, TRANSIENT_ON_READ);
}

// What to do about a shortage of file descriptors, with this process's numbers.
export function nofileHint(): string {
  let limit = '?';
  try {
    const { soft } = readFdLimit();
    if (!Number.isNaN(soft)) limit = formatLimit(soft);
  } catch {
    // no /proc, or no fd left to read it with
  }
  let used = '?';
  try {
    used = String(readdirSync('/proc/self/fd').length);
  } catch {
    // same
  }
  return `raise the emperor's nofile limit: it has ${limit}, ${used} in use`;
}
