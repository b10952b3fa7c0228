// supervisord's `environment = KEY="val",KEY2="val2"` (datatypes.dict_of_key_value_pairs):
// non-POSIX shlex tokens taken three at a time (KEY, '=', value) with a separator skipped
// between them, and quotes stripped from both ends of the value.
import { supervisordEnvTokens } from '../shell-words.js';

export type EnvPairs = { readonly ok: true; readonly env: Record<string, string> } | { readonly ok: false; readonly message: string };

export function parseEnvironment(text: string): EnvPairs {
  const split = supervisordEnvTokens(text);
  if (!split.ok) return split;
  const tokens = split.words;
  const env: Record<string, string> = {};
  for (let i = 0; i < tokens.length; i += 4) {
    const [key, eq, value] = tokens.slice(i, i + 3);
    if (key === undefined || eq !== '=' || value === undefined) {
      return { ok: false, message: `expected KEY="value" pairs separated by commas; unexpected end of key/value pairs after ${JSON.stringify(tokens.slice(0, i).join(''))} (quote values that hold characters other than letters, digits and _/.+-():)` };
    }
    env[key] = stripQuotes(value);
  }
  return { ok: true, env };
}

// Python's str.strip('\'"'): every quote at either end, not a matching pair
function stripQuotes(value: string): string {
  return value.replace(/^['"]+/, '').replace(/['"]+$/, '');
}
