// `user`, `group` (and a socket's `owner`) as written, and `umask`: type-checked only; who they
// name is looked up later (resolve-run-as.ts).
import { describeValue } from './describe-value.js';
import type { Report } from './report.js';
import type { AccountKey } from './written-vassal.js';

/** uid_t is 32 bits and (uid_t)-1 means "unchanged" to the kernel. */
const MAX_ID = 2 ** 32 - 2;
// What useradd/groupadd accept, loosely (NSS may serve other names): no ':', ',', whitespace or a leading '-'.
const ACCOUNT_NAME = /^[^\s:,/-][^\s:,/]*$/;

// A user or group name, or a uid/gid; what it names is checked against the databases later
export function readAccountKey(raw: unknown, key: string, what: 'user' | 'group', report: Report): AccountKey | undefined {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= MAX_ID) return raw;
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (/^\d+$/.test(text) && Number(text) <= MAX_ID) return Number(text);
    if (ACCOUNT_NAME.test(text) && text.length <= 256) return text;
  }
  const example = what === 'user' ? 'galaxy or 1001' : 'www-data or 33';
  report.error(key, `expected a ${what} name or number (e.g. ${example}), got ${describeValue(raw)}`);
  return undefined;
}

// A umask as a shell writes it: "027", "0027", "0o027", or a number whose digits are octal (YAML reads an unquoted 027 as 27)
export function readUmask(raw: unknown, key: string, report: Report): number | undefined {
  const text = typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 ? String(raw) : typeof raw === 'string' ? raw.trim() : undefined;
  const match = text === undefined ? null : /^(?:0o)?([0-7]{1,4})$/i.exec(text);
  const umask = match ? parseInt(match[1] ?? '', 8) : Number.NaN;
  if (umask >= 0 && umask <= 0o777) return umask;
  report.error(key, `expected an octal umask like "027" or "0022" (from 000 to 777), got ${describeValue(raw)}`);
  return undefined;
}
