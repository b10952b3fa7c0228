// Fleet singletons: whether this node may run one, and asking for or giving back its claim.
// The claim itself lives in etcd (the runtime's fleet module); the core only sees its outcome
// as fleet-granted / fleet-standby events and answers with fleet-claim / fleet-release effects.
//
// The core checks the claim's deadline itself (the clock is an argument), so that after a
// pause of the emperor no event, whichever comes first, can start an instance on a claim that
// has run out: a held claim lapses at `renewBy` unless a renewal moved it.
import { emit, patch, type Draft } from './draft.js';
import type { VassalEvent } from './events.js';
import type { Vassal } from './vassal.js';

export function isFleetSingleton(v: Vassal): boolean {
  return v.spec?.singleton === 'fleet';
}

// A fleet singleton runs only where its claim is held and fresh; any other vassal is this emperor's alone.
export function fleetAllowsRunning(v: Vassal, now: number): boolean {
  return !isFleetSingleton(v) || (v.claim.status === 'held' && now < v.claim.renewBy);
}

// The claim is wanted while the vassal should run here: it is given back when it is stopped,
// removed, halted by its restart policy, or no longer a fleet singleton.
function wantsClaim(v: Vassal): boolean {
  return isFleetSingleton(v) && v.wish.want === 'up' && v.halted === null;
}

// Records a fleet-granted or fleet-standby event; one for a claim given back is stale and ignored.
export function applyFleetEvent(d: Draft, e: Extract<VassalEvent, { type: 'fleet-granted' | 'fleet-standby' }>): void {
  const was = d.v.claim;
  if (was.status === 'none') return;
  if (e.type === 'fleet-granted') {
    if (e.renewBy <= d.now) return; // already stale: it cannot start anything
    patch(d, { claim: { status: 'held', renewBy: e.renewBy, killBy: e.killBy } });
    if (was.status !== 'held') emit(d, { type: 'fleet', held: true, holder: null, message: 'fleet claim granted: the singleton runs on this node' });
    return;
  }
  const killBy = earliest(was.status === 'held' ? was.killBy : was.killBy, e.killBy);
  patch(d, { claim: { status: 'waiting', holder: e.holder, reason: e.reason, killBy } });
  if (was.status === 'held' || was.holder !== e.holder) {
    const where = e.holder === null ? e.reason : `held by ${e.holder}`;
    emit(d, { type: 'fleet', held: false, holder: e.holder, message: `${was.status === 'held' ? 'fleet claim lost' : 'fleet standby'}: ${where}` });
  }
}

// A held claim past its renewBy lapses here and now, whatever event woke the core.
export function lapseClaim(d: Draft): void {
  const claim = d.v.claim;
  if (claim.status !== 'held' || d.now < claim.renewBy) return;
  const reason = 'the fleet claim was not renewed in time';
  patch(d, { claim: { status: 'waiting', holder: null, reason, killBy: claim.killBy } });
  emit(d, { type: 'fleet', held: false, holder: null, message: `fleet claim lost: ${reason}` });
}

// When the core must look again: a held claim's renewBy.
export function claimWake(v: Vassal): number | null {
  return v.claim.status === 'held' ? v.claim.renewBy : null;
}

// Asks for the claim when it is wanted, and gives it back once it is not and nothing runs.
export function syncClaim(d: Draft): void {
  const v = d.v;
  if (wantsClaim(v)) {
    if (v.claim.status === 'none') {
      patch(d, { claim: { status: 'waiting', holder: null, reason: 'claiming', killBy: null } });
      d.effects.push({ type: 'fleet-claim' });
    }
    return;
  }
  if (v.claim.status !== 'none' && v.instances.length === 0) {
    patch(d, { claim: { status: 'none' } });
    d.effects.push({ type: 'fleet-release' });
  }
}

function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
