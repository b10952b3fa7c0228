// The deadlines of a fleet claim, from the lower bound of its lease's expiry (validUntil, see
// lease-renewer.ts) and the TTL T. docs/fleet.md gives the argument; in short:
//   renewals every T/5          (etcd's own clients renew every T/3: renewing more often
//                               leaves room for one lost renewal and a slow one)
//   renewBy = validUntil - 0.4T no renewal by then: stop gracefully, start nothing
//   killBy  = validUntil - T/10 (at least 250 ms) every instance SIGKILLed, by the emperor or
//                               by the fence guard, before etcd can expire the lease
// After a renewal answered in r ms, renewBy is 0.6T - r ahead and the next renewal leaves in
// 0.2T: a healthy claim never comes near renewBy.
export interface ClaimDeadlines {
  readonly renewBy: number;
  readonly killBy: number;
}

export const MIN_KILL_MARGIN_MS = 250;

export function renewEvery(ttlMs: number): number {
  return ttlMs / 5;
}

export function claimDeadlines(validUntil: number, ttlMs: number): ClaimDeadlines {
  return { renewBy: validUntil - 0.4 * ttlMs, killBy: validUntil - Math.max(MIN_KILL_MARGIN_MS, ttlMs / 10) };
}
