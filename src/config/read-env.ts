// `env`: variables added to the emperor's environment for the instance.
import { describeValue, isMapping } from './describe-value.js';
import type { Report } from './report.js';

// Read a written env mapping; strings, numbers and booleans become strings, anything else is an error
export function readEnv(raw: unknown, key: string, report: Report): Record<string, string> | undefined {
  if (!isMapping(raw)) {
    report.error(key, `expected a mapping of variable names to values, like { NODE_ENV: production }, got ${describeValue(raw)}`);
    return undefined;
  }
  const env: Record<string, string> = {};
  let ok = true;
  for (const [name, value] of Object.entries(raw)) {
    const valueKey = `${key}.${name}`;
    if (name === '' || name.includes('=') || name.includes('\0')) {
      report.error(valueKey, 'expected a variable name without "=" or NUL characters');
      ok = false;
    } else if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      env[name] = String(value);
    } else {
      report.error(valueKey, `expected a string, number or boolean (quote it to be sure), got ${describeValue(value)}`);
      ok = false;
    }
  }
  return ok ? env : undefined;
}
