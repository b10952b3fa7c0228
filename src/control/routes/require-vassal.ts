// Looks a vassal up or throws EMP_ERR_UNKNOWN_VASSAL naming the known ones.
import { EmperorError } from '../../errors.js';
import type { VassalStatus } from '../../core/status.js';
import type { SupervisorPort } from '../supervisor-port.js';

export function requireVassal(port: SupervisorPort, name: string): VassalStatus {
  const status = port.get(name);
  if (status) return status;
  throw unknownVassal(port, name);
}

// The error for a name the emperor does not know, listing what it does know.
export function unknownVassal(port: SupervisorPort, name: string): EmperorError {
  const known = port.list().map((v) => v.name);
  const hint = known.length > 0 ? `known vassals: ${known.join(', ')}` : 'no vassals are loaded';
  return new EmperorError('EMP_ERR_UNKNOWN_VASSAL', `no vassal named '${name}' (${hint})`);
}
