// The CLI's exit codes and the error type that carries one.
import { EmperorError } from '../errors.js';

/** The operation ran and failed (or a file is invalid, a vassal unknown). */
const EXIT_FAILED = 1;
/** The command line was wrong. */
export const EXIT_USAGE = 2;
/** No emperor answered on the control socket. */
const EXIT_UNREACHABLE = 3;

class CliError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

// A usage error (exit 2).
export function usageError(message: string): CliError {
  return new CliError(EXIT_USAGE, message);
}

// The exit code an error thrown by a command stands for.
export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof EmperorError && err.code === 'EMP_ERR_UNREACHABLE') return EXIT_UNREACHABLE;
  return EXIT_FAILED;
}
