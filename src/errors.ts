// Every error the emperor reports on purpose has a stable code here; codes are never reused.
export const ErrorCodes = {
  EMP_ERR_RUN_DIR_LOCKED: 'another emperor uses this run directory',
  EMP_ERR_UNKNOWN_VASSAL: 'no vassal by that name',
  EMP_ERR_UNKNOWN_ACTION: 'no such action',
  EMP_ERR_BAD_REQUEST: 'malformed request',
  EMP_ERR_DANCE_RUNNING: 'a restart dance is already under way',
  EMP_ERR_NO_DANCE: 'the vassal has no stand-in to dance with',
  EMP_ERR_NOT_RUNNING: 'the vassal is not running',
  EMP_ERR_BROKEN: 'the vassal file is invalid',
  EMP_ERR_UNREACHABLE: 'no emperor reachable',
  EMP_ERR_SHUTTING_DOWN: 'the emperor is shutting down',
  EMP_ERR_NO_ENDPOINT: 'the control API has no such endpoint',
  EMP_ERR_METHOD_NOT_ALLOWED: 'the endpoint does not accept that HTTP method',
  EMP_ERR_BODY_TOO_LARGE: 'the request body is too large',
  EMP_ERR_UNAUTHORIZED: 'the request needs the dashboard token',
  EMP_ERR_FORBIDDEN: 'the request is not allowed on this listener',
  EMP_ERR_INTERNAL: 'internal error in the emperor',
  EMP_ERR_NOT_IN_FLEET: 'the emperor runs alone (no --fleet)',
  EMP_ERR_FLEET_UNREACHABLE: 'etcd, where the fleet lives, cannot be reached',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class EmperorError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmperorError';
    this.code = code;
  }
}
