// Reading one mapping of Gravity settings against its schema: each key type-checked (a problem
// names its file:line), Gravity's default applied where the key is absent (and remembered, so
// the written file can say which defaults were applied), and the keys it does not know kept.
import { ImportInputError } from '../imported-vassal.js';
import { lineOfKey } from '../yaml-lines.js';

export type Kind = 'bool' | 'int' | 'number' | 'string' | 'map' | 'any';

export interface Source {
  readonly file: string;
  readonly text: string;
}

export class SettingsReader {
  readonly applied: string[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly raw: Record<string, unknown>,
    private readonly path: readonly string[],
    private readonly source: Source,
  ) {}

  /** The value of `key` (Gravity's default when absent or null), checked against `kind`. */
  get<T>(key: string, kind: Kind, fallback: T): T {
    this.seen.add(key);
    const value = this.raw[key];
    if (value === undefined || value === null) {
      const shown = fallback !== undefined && fallback !== null && fallback !== '' && !(typeof fallback === 'object' && Object.keys(fallback).length === 0);
      if (shown && !this.applied.some((a) => a.startsWith(`${key} = `))) {
        this.applied.push(`${key} = ${typeof fallback === 'object' ? JSON.stringify(fallback) : String(fallback)}`);
      }
      return fallback;
    }
    if (kind === 'int' && typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value) as T;
    const ok =
      kind === 'any' ||
      (kind === 'bool' && typeof value === 'boolean') ||
      (kind === 'int' && Number.isInteger(value)) ||
      (kind === 'number' && typeof value === 'number') ||
      (kind === 'string' && (typeof value === 'string' || typeof value === 'number')) ||
      (kind === 'map' && typeof value === 'object' && !Array.isArray(value));
    if (!ok) this.fail(key, `expected ${KIND_WORDS[kind]}, got ${JSON.stringify(value)}`);
    return (kind === 'string' ? String(value) : value) as T;
  }

  /** Whether the file sets `key` (null counts as unset, as Gravity's validators make it). */
  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  fail(key: string, message: string): never {
    throw new ImportInputError({ file: this.source.file, line: this.line(key), message: `${[...this.path, key].join('.')}: ${message}` });
  }

  line(key?: string): number {
    return lineOfKey(this.source.text, key === undefined ? this.path : [...this.path, key]);
  }

  /** Keys of the mapping that no get() asked for, with their values. */
  leftover(): [string, unknown][] {
    return Object.entries(this.raw).filter(([k]) => !this.seen.has(k));
  }
}

const KIND_WORDS: Record<Kind, string> = {
  bool: 'true or false',
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  map: 'a mapping',
  any: 'a value',
};

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
