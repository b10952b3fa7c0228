// `limits`: resource limits set with prlimit before exec, e.g. { nofile: 65536, core: unlimited, as: "2G:4G" }.
import { describeValue, isMapping } from './describe-value.js';
import type { Report } from './report.js';
import { LIMIT_NAMES } from '../core/spec.js';
import type { LimitName, LimitValue, ResourceLimit, ResourceLimits } from '../core/spec.js';

/** Limits counted in bytes, which may be written with K, M, G, T (powers of 1024). */
const BYTE_LIMITS: ReadonlySet<LimitName> = new Set(['as', 'core', 'data', 'fsize', 'memlock', 'msgqueue', 'rss', 'stack']);
const UNIT_BYTES: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
const SIZE = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:ib)?)?$/;

// Read a written limits mapping; every limit is `soft[:hard]`, a lone value sets both
export function readLimits(raw: unknown, key: string, report: Report): ResourceLimits | undefined {
  if (!isMapping(raw)) {
    report.error(key, `expected a mapping of limit names to values, like { nofile: 65536, core: unlimited }, got ${describeValue(raw)}`);
    return undefined;
  }
  const limits: Partial<Record<LimitName, ResourceLimit>> = {};
  let ok = true;
  for (const [name, value] of Object.entries(raw)) {
    const limitName = LIMIT_NAMES.find((known) => known === name);
    if (limitName === undefined) {
      report.error(`${key}.${name}`, `expected one of the limits ${LIMIT_NAMES.join(', ')}`);
      ok = false;
      continue;
    }
    const limit = readLimit(limitName, value, `${key}.${name}`, report);
    if (limit === undefined) ok = false;
    else limits[limitName] = limit;
  }
  return ok ? limits : undefined;
}

function readLimit(name: LimitName, raw: unknown, key: string, report: Report): ResourceLimit | undefined {
  const bytes = BYTE_LIMITS.has(name);
  const parts = typeof raw === 'string' ? raw.split(':') : [raw];
  const values = parts.length <= 2 ? parts.map((part) => limitValue(part, bytes)) : [];
  const [soft, hard = soft] = values;
  if (soft === undefined || hard === undefined || values.includes(undefined)) {
    const example = bytes ? '"512M", "2G:4G", 0 or unlimited' : '65536, "1024:65536" or unlimited';
    report.error(key, `expected a limit as soft[:hard], like ${example}, got ${describeValue(raw)}`);
    return undefined;
  }
  if (hard !== 'unlimited' && (soft === 'unlimited' || soft > hard)) {
    report.error(key, `expected a soft limit no higher than the hard one, got ${describeValue(raw)}`);
    return undefined;
  }
  return { soft, hard };
}

function limitValue(raw: unknown, bytes: boolean): LimitValue | undefined {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw >= 0 ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim().toLowerCase();
  if (text === 'unlimited' || text === 'infinity') return 'unlimited';
  const match = SIZE.exec(text);
  if (!match) return undefined;
  const [, amount = '', unit = ''] = match;
  if (!bytes && (unit !== '' || text !== amount || amount.includes('.'))) return undefined;
  const value = Math.round(Number(amount) * (UNIT_BYTES[unit] ?? Number.NaN));
  return Number.isSafeInteger(value) ? value : undefined;
}
