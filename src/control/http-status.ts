// Maps every EmperorError code to the HTTP status the control API answers with.
import type { ErrorCode } from '../errors.js';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  EMP_ERR_RUN_DIR_LOCKED: 409,
  EMP_ERR_UNKNOWN_VASSAL: 404,
  EMP_ERR_UNKNOWN_ACTION: 404,
  EMP_ERR_BAD_REQUEST: 400,
  EMP_ERR_DANCE_RUNNING: 409,
  EMP_ERR_NO_DANCE: 409,
  EMP_ERR_NOT_RUNNING: 409,
  EMP_ERR_BROKEN: 409,
  EMP_ERR_UNREACHABLE: 502,
  EMP_ERR_SHUTTING_DOWN: 503,
  EMP_ERR_NO_ENDPOINT: 404,
  EMP_ERR_METHOD_NOT_ALLOWED: 405,
  EMP_ERR_BODY_TOO_LARGE: 413,
  EMP_ERR_UNAUTHORIZED: 401,
  EMP_ERR_FORBIDDEN: 403,
  EMP_ERR_INTERNAL: 500,
  EMP_ERR_NOT_IN_FLEET: 409,
  EMP_ERR_FLEET_UNREACHABLE: 503,
};

// HTTP status for an error code; unknown codes (from a newer runtime) are a 500.
export function statusForCode(code: string): number {
  return (STATUS_BY_CODE as Record<string, number>)[code] ?? 500;
}
