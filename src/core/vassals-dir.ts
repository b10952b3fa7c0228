// The vassals directory as a thing with its own states. A deploy may remove it, move it away and
// back, or swap the symlink it is (a release switch); the runtime looks at the path whenever
// something may have happened to it and this decides what follows. Pure: the clock is an argument.

/** What the runtime saw at the directory's path: a directory (known by device:inode and real path), or nothing usable. */
export type DirObservation =
  | { readonly kind: 'present'; readonly id: string; readonly real: string }
  | { readonly kind: 'absent'; readonly why: string };

export type DirState =
  | { readonly kind: 'watching'; readonly id: string; readonly real: string }
  /** Gone since `since`; `released` once the grace period is over and its vassals were let go. */
  | { readonly kind: 'missing'; readonly since: number; readonly why: string; readonly released: boolean };

/**
 * - arm: (re)start watching the directory's real path and compare its files with what is known;
 *   vassals whose file is unchanged in content keep running (the release switch).
 * - disarm: stop watching (the path shows something else now, or nothing).
 * - release: the grace period is over: every vassal of the directory is treated as removed.
 */
export type DirAction = 'arm' | 'disarm' | 'release';

export interface DirStepResult {
  readonly state: DirState;
  readonly actions: readonly DirAction[];
  readonly log: { readonly level: 'error' | 'warn' | 'info'; readonly message: string } | null;
  /** Look again at this time (the end of the grace period); null when nothing is due. */
  readonly wakeAt: number | null;
}

// The one problem shown in status, metrics and STATUS= while the directory is gone.
export const DIR_MISSING = 'vassals directory missing';

export function initialDirState(id: string, real: string): DirState {
  return { kind: 'watching', id, real };
}

// Decides what an observation of the directory's path means.
export function dirStep(state: DirState, seen: DirObservation, now: number, graceMs: number, path: string): DirStepResult {
  if (state.kind === 'watching') {
    if (seen.kind === 'absent') {
      const grace = `its vassals keep running for ${formatSeconds(graceMs)} in case it comes back`;
      return {
        state: { kind: 'missing', since: now, why: seen.why, released: false },
        actions: graceMs <= 0 ? ['disarm', 'release'] : ['disarm'],
        log: { level: 'error', message: `${DIR_MISSING}: ${path} (${seen.why}); ${graceMs <= 0 ? 'stopping its vassals' : grace}` },
        wakeAt: graceMs <= 0 ? null : now + graceMs,
      };
    }
    if (seen.id === state.id) return { state, actions: [], log: null, wakeAt: null };
    return {
      state: { kind: 'watching', id: seen.id, real: seen.real },
      actions: ['disarm', 'arm'],
      log: { level: 'warn', message: `vassals directory ${path} is now ${seen.real} (was ${state.real}): watching the new one; unchanged vassals keep running` },
      wakeAt: null,
    };
  }
  if (seen.kind === 'present') {
    return {
      state: { kind: 'watching', id: seen.id, real: seen.real },
      actions: ['arm'],
      log: { level: 'warn', message: `vassals directory ${path} is back (${seen.real}) after ${formatSeconds(now - state.since)}: watching it again` },
      wakeAt: null,
    };
  }
  const end = state.since + graceMs;
  if (state.released || now < end) return { state, actions: [], log: null, wakeAt: state.released ? null : end };
  return {
    state: { ...state, released: true },
    actions: ['release'],
    log: { level: 'error', message: `${DIR_MISSING} for ${formatSeconds(now - state.since)}: ${path}; stopping its vassals (they start again when it comes back)` },
    wakeAt: null,
  };
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}
