// Looks a vassal up or throws EMP_ERR_UNKNOWN_VASSAL naming the known ones (the core's wording).
import { unknownVassal } from '../../core/commands.js';
import type { VassalStatus } from '../../core/status.js';
import { refusalError } from '../refusal-error.js';
import type { SupervisorPort } from '../supervisor-port.js';

export function requireVassal(port: SupervisorPort, name: string): VassalStatus {
  const status = port.get(name);
  if (status) return status;
  const refused = unknownVassal(name, port.list().map((v) => v.name));
  throw refusalError(refused.code, refused.reason);
}
