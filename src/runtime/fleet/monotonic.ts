// CLOCK_MONOTONIC in milliseconds and nanoseconds: the clock of every fleet deadline. It never
// jumps with the wall clock, and the fence guard, another process on the same host, reads the
// very same clock (process.hrtime is CLOCK_MONOTONIC on Linux).
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}

export function msToMonotonicNs(ms: number): bigint {
  return BigInt(Math.floor(ms)) * 1_000_000n;
}
