// RLIMIT_NOFILE of a process as /proc shows it: the one reader for the emperor's own limit
// (raised at start, warned about) and for the hint given when descriptors run out.
import { readFileSync } from 'node:fs';

export interface FdLimit {
  readonly soft: number;
  readonly hard: number;
}

// The current soft and hard RLIMIT_NOFILE of a process; 'unlimited' reads as Infinity.
export function readFdLimit(pid: number | 'self' = 'self'): FdLimit {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  const [soft = '', hard = ''] = (line ?? '').slice('Max open files'.length).trim().split(/\s+/);
  const value = (v: string): number => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
  return { soft: value(soft), hard: value(hard) };
}

// A limit as /proc writes it.
export function formatLimit(n: number): string {
  return n === Number.POSITIVE_INFINITY ? 'unlimited' : String(n);
}
