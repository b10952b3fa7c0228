// Respawn throttling after quick deaths, the way uWSGI's Emperor does it: the delay doubles on
// each death within a short uptime and resets after a healthy one.

export interface ThrottlePolicy {
  /** Delay after the first quick death. */
  readonly baseMs: number;
  readonly maxMs: number;
  /** An instance that lived at least this long died healthy. */
  readonly healthyUptimeMs: number;
}

export interface ThrottleState {
  /** The delay applied after the last quick death; 0 when the last death was healthy (or none). */
  readonly delayMs: number;
  /** No spawn before this time; null when a spawn may happen now. */
  readonly nextStartAt: number | null;
}

export const NO_THROTTLE: ThrottleState = { delayMs: 0, nextStartAt: null };

// The throttle after an instance that lived `uptimeMs` died unexpectedly at `now`.
export function afterDeath(state: ThrottleState, uptimeMs: number, now: number, policy: ThrottlePolicy): ThrottleState {
  if (uptimeMs >= policy.healthyUptimeMs) return NO_THROTTLE;
  const delayMs = state.delayMs === 0 ? policy.baseMs : Math.min(state.delayMs * 2, policy.maxMs);
  return { delayMs, nextStartAt: now + delayMs };
}

// Whether a spawn is allowed at `now`.
export function mayStart(state: ThrottleState, now: number): boolean {
  return state.nextStartAt === null || state.nextStartAt <= now;
}
