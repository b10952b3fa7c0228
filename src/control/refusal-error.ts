// A command the core refused, as the control API reports it: the core's code mapped onto the
// stable error codes (and so the HTTP statuses) that clients already know.
import type { RefusalCode } from '../core/command-types.js';
import { EmperorError, type ErrorCode } from '../errors.js';

const CODES: Record<RefusalCode, ErrorCode> = {
  'unknown-vassal': 'EMP_ERR_UNKNOWN_VASSAL',
  'shutting-down': 'EMP_ERR_SHUTTING_DOWN',
  removed: 'EMP_ERR_UNKNOWN_VASSAL',
  broken: 'EMP_ERR_BROKEN',
  'no-standin': 'EMP_ERR_NO_DANCE',
  'dance-running': 'EMP_ERR_DANCE_RUNNING',
  'not-running': 'EMP_ERR_NOT_RUNNING',
};

export function refusalError(code: RefusalCode, reason: string): EmperorError {
  return new EmperorError(CODES[code], reason);
}
