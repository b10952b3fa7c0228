// What the effect interpreter needs of the fleet: claims for fleet singletons, and the guard of
// their process groups. An emperor without --fleet has the solo version: it never grants a
// claim, so a fleet singleton waits in standby and says why.
import type { VassalEvent } from '../../core/events.js';

export interface FleetClaimsPort {
  claim(name: string): void;
  release(name: string): void;
  /** A process group just started for a fleet singleton. */
  guardGroup(name: string, pgid: number): void;
}

export function soloClaims(report: (name: string, event: VassalEvent) => void): FleetClaimsPort {
  const reason = 'this emperor is not in a fleet: fleet singletons run only under `--fleet etcd://…`';
  return {
    claim: (name) => report(name, { type: 'fleet-standby', holder: null, reason, killBy: null }),
    release: () => undefined,
    guardGroup: () => undefined,
  };
}
