// `log-max-size`, `log-backups` and `log-format`: how the emperor writes a vassal's `logto` file.
import { LOG_FORMATS, type LogFormat } from '../core/spec.js';
import { describeValue } from './describe-value.js';
import type { Report } from './report.js';

/** Powers of 1024, as logrotate's `size 100k` counts: KB and KiB mean the same here. */
const UNIT_BYTES: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
const SIZE = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?$/;
const MAX_BACKUPS = 1000;

// A size such as 200KB, 50MB, 1GB or a number of bytes; undefined (reported) when it is not one
export function readByteSize(raw: unknown, key: string, report: Report): number | undefined {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  const match = SIZE.exec(text);
  const bytes = match ? Math.round(Number(match[1]) * (UNIT_BYTES[match[2] ?? ''] ?? Number.NaN)) : Number.NaN;
  if (Number.isSafeInteger(bytes) && bytes > 0) return bytes;
  report.error(key, `expected a size greater than zero like 200KB, 50MB or 1GB, got ${describeValue(raw)}`);
  return undefined;
}

export function readLogBackups(raw: unknown, key: string, report: Report): number | undefined {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= MAX_BACKUPS) return raw;
  if (typeof raw === 'string' && /^\d+$/.test(raw.trim()) && Number(raw) <= MAX_BACKUPS) return Number(raw);
  report.error(key, `expected how many rotated files to keep, 0 to ${MAX_BACKUPS}, got ${describeValue(raw)}`);
  return undefined;
}

export function readLogFormat(raw: unknown, key: string, report: Report): LogFormat | undefined {
  const format = LOG_FORMATS.find((f) => f === raw);
  if (format !== undefined) return format;
  report.error(key, `expected one of ${LOG_FORMATS.join(', ')}, got ${describeValue(raw)}`);
  return undefined;
}
