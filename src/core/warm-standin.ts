// A warm stand-in: a vassal with `warm-standin` keeps one stand-in started ahead of its next
// dance, held before it loads its app (it waits on EMPEROR_GO_FD). The dance lets it go instead
// of starting one, so the program's own start-up (an interpreter, its imports) is already paid
// when the new code starts loading. Held, it serves nothing and runs no singleton.
import { mains, patch, spawn, standins, stop, type Draft } from './draft.js';
import { isLive, type Instance } from './instance.js';
import type { ProcessSpec } from './spec.js';
import type { Vassal } from './vassal.js';

// Same settings: a stand-in started with other ones (the file changed since) is not used.
function sameProcess(a: ProcessSpec, b: ProcessSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function held(d: Draft): Instance[] {
  return standins(d).filter((i) => i.held && isLive(i));
}

/** The held stand-in the dance can let go, if one was started with these settings; stale ones are stopped. */
export function takeWarm(d: Draft, standin: ProcessSpec): Instance | undefined {
  const usable = held(d).find((i) => sameProcess(i.process, standin));
  for (const stale of held(d).filter((i) => i !== usable)) stop(d, stale, 'the stand-in settings changed since it was started warm');
  return usable;
}

/** Between operations: starts the warm stand-in when the vassal serves and has none, stops outdated ones. */
export function keepWarm(d: Draft): void {
  const spec = d.v.spec;
  const standin = spec?.warmStandin ? spec.standin : undefined;
  for (const stale of held(d).filter((i) => !standin || !sameProcess(i.process, standin))) stop(d, stale, spec?.warmStandin ? 'the stand-in settings changed' : 'warm-standin is off');
  if (!standin || standins(d).length > 0) return;
  const live = mains(d).filter(isLive);
  // Only beside an original that serves: never while one starts, and never for a vassal that is
  // about to reload (the dance would find settings it may not have).
  if (live.length === 0 || !live.every((i) => i.phase === 'ready' && i.rev === d.v.rev)) return;
  if (d.v.warmRetryAt !== null && d.v.warmRetryAt > d.now) return;
  if (d.v.warmRetryAt !== null) patch(d, { warmRetryAt: null });
  spawn(d, 'standin', standin, true);
}

/** When keepWarm may start the next warm stand-in after one died while held. */
export function warmWake(v: Vassal): number | null {
  return v.spec?.warmStandin ? v.warmRetryAt : null;
}
