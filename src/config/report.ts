// Collects the problems of one file: validation never stops at the first one.
import { formatProblem } from './spec.js';
import type { ConfigProblem } from './spec.js';

export interface Report {
  readonly file: string;
  readonly errors: ConfigProblem[];
  /** Already formatted `file: key: message`, as VassalSpec.warnings wants them. */
  readonly warnings: string[];
  error(key: string, message: string): void;
  warn(key: string, message: string): void;
}

// Start an empty problem list for one file
export function createReport(file: string): Report {
  const errors: ConfigProblem[] = [];
  const warnings: string[] = [];
  return {
    file,
    errors,
    warnings,
    error: (key, message) => void errors.push({ file, key, message }),
    warn: (key, message) => void warnings.push(formatProblem({ file, key, message })),
  };
}
