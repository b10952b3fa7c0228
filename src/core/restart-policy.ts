// What happens after an original instance dies, in the vocabulary of the OTP supervisor:
// restart always (permanent), on failure only (transient) or never (temporary); a burst of
// restarts within a window happens at once, past it the delay grows exponentially; and after
// max-restarts the vassal is given up on, visibly (supervisord's FATAL).

export type RestartMode = 'always' | 'on-failure' | 'never';

/** A vassal's own policy, from its file. */
export interface RestartPolicy {
  readonly restart: RestartMode;
  /** Respawns within the window that happen at once (for instances that had become ready). */
  readonly burst: number;
  readonly windowMs: number;
  /** Respawns after which the vassal is fatal; null: never give up. */
  readonly maxRestarts: number | null;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { restart: 'always', burst: 5, windowMs: 60_000, maxRestarts: null };

/** The emperor-wide backoff past the burst: `--throttle` doubling up to `--max-throttle`. */
export interface Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
}

export interface RestartHistory {
  /** When each respawn within the current window was decided. */
  readonly recent: readonly number[];
  /** Respawns since the vassal was last started, changed or touched (against max-restarts). */
  readonly count: number;
  /** The delay applied after the last death past the burst; 0 while respawns happen at once. */
  readonly delayMs: number;
  /** No spawn before this time; null when a spawn may happen now. */
  readonly nextStartAt: number | null;
}

export const NO_HISTORY: RestartHistory = { recent: [], count: 0, delayMs: 0, nextStartAt: null };

export interface Death {
  readonly code: number | null;
  readonly signal: string | null;
  readonly spawnedAt: number;
  /** Null when it died before it was ever ready (a crash loop, not a crash). */
  readonly readyAt: number | null;
}

export type AfterDeath =
  | { readonly kind: 'respawn'; readonly history: RestartHistory }
  /** The policy does not restart this exit (never, or a clean exit with on-failure). */
  | { readonly kind: 'exited' }
  /** More than max-restarts: given up until a start, change or touch. */
  | { readonly kind: 'fatal'; readonly history: RestartHistory };

// Decides what follows the unexpected death of an original instance at `now`.
export function afterDeath(h: RestartHistory, death: Death, now: number, policy: RestartPolicy, backoff: Backoff): AfterDeath {
  const clean = death.code === 0 && death.signal === null;
  if (policy.restart === 'never' || (policy.restart === 'on-failure' && clean)) return { kind: 'exited' };
  const healthy = death.readyAt !== null && now - death.spawnedAt >= policy.windowMs;
  const base = healthy ? NO_HISTORY : h;
  const recent = [...base.recent.filter((t) => now - t < policy.windowMs), now];
  const count = base.count + 1;
  if (policy.maxRestarts !== null && count > policy.maxRestarts) return { kind: 'fatal', history: { ...base, recent, count, nextStartAt: null } };
  if (death.readyAt !== null && recent.length <= policy.burst) return { kind: 'respawn', history: { recent, count, delayMs: 0, nextStartAt: null } };
  const delayMs = base.delayMs === 0 ? backoff.baseMs : Math.min(base.delayMs * 2, backoff.maxMs);
  return { kind: 'respawn', history: { recent, count, delayMs, nextStartAt: now + delayMs } };
}

// Whether a spawn is allowed at `now`.
export function mayStart(h: RestartHistory, now: number): boolean {
  return h.nextStartAt === null || h.nextStartAt <= now;
}
