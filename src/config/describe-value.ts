// How a value the user wrote is shown in "expected …, got …" messages.

const MAX_SHOWN = 60;

// Show a user-written value briefly with its type, e.g. "`abc` (string)" or "a list"
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return `\`${shorten(value)}\` (string)`;
  if (typeof value === 'number' || typeof value === 'boolean') return `\`${String(value)}\` (${typeof value})`;
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return `a date (\`${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()}\`)`;
  if (value instanceof Uint8Array) return 'binary data';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

// Plain key/value objects only: js-yaml and JSON give Object.prototype, ini gives null-prototype objects
export function isMapping(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function shorten(text: string): string {
  const oneLine = JSON.stringify(text).slice(1, -1);
  return oneLine.length > MAX_SHOWN ? `${oneLine.slice(0, MAX_SHOWN)}…` : oneLine;
}
