// supervisord expands `%(name)s` in its values with Python's `%` operator: `%(ENV_PATH)s`,
// `%(here)s`, `%(program_name)s`, `%(process_num)02d`, `%%`. This is that operator for the
// conversions a config file can meaningfully use, failing the way Python does otherwise.

export type Expansions = Readonly<Record<string, string | number>>;

export type Expanded = { readonly ok: true; readonly text: string; readonly used: readonly string[] } | { readonly ok: false; readonly message: string };

const SPEC = /^\(([^)]*)\)([#0\- +]*)(\d+)?(?:\.(\d+))?[hlL]?([a-zA-Z%])?/;

// Expand `text` like Python's `text % expansions`; `used` names the expansions it read
export function percentFormat(text: string, expansions: Expansions): Expanded {
  let out = '';
  const used: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    if (text[i + 1] === '%') {
      out += '%';
      i++;
      continue;
    }
    const spec = SPEC.exec(text.slice(i + 1));
    if (!spec) return { ok: false, message: `badly formatted: \`%\` at offset ${i} is not followed by \`(name)s\` (write \`%%\` for a literal %)` };
    const [whole, name = '', flags = '', width, precision, conversion] = spec;
    if (conversion === undefined) return { ok: false, message: `badly formatted: \`%(${name})\` has no conversion letter (e.g. \`%(${name})s\`)` };
    if (!Object.hasOwn(expansions, name)) {
      const available = Object.keys(expansions).sort().join(', ');
      return { ok: false, message: `\`%(${name})${conversion}\` names nothing that can be expanded; available: ${available}` };
    }
    const value = expansions[name] as string | number;
    const converted = convert(value, conversion, precision === undefined ? undefined : Number(precision));
    if (typeof converted !== 'string') return { ok: false, message: `\`%(${name})${conversion}\`: ${converted.message}` };
    out += pad(converted, flags, width === undefined ? 0 : Number(width), 'diuxXo'.includes(conversion));
    used.push(name);
    i += whole.length;
  }
  return { ok: true, text: out, used: [...new Set(used)] };
}

function convert(value: string | number, conversion: string, precision: number | undefined): string | { message: string } {
  switch (conversion) {
    case 's':
      return precision === undefined ? String(value) : String(value).slice(0, precision);
    case 'r':
    case 'a':
      return typeof value === 'number' ? String(value) : `'${value}'`;
    case 'd':
    case 'i':
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
      if (typeof value !== 'number') return { message: `%${conversion} format: a real number is required, not str` };
      const n = Math.trunc(value);
      const base = conversion === 'x' || conversion === 'X' ? 16 : conversion === 'o' ? 8 : 10;
      const digits = Math.abs(n).toString(base);
      return (n < 0 ? '-' : '') + (conversion === 'X' ? digits.toUpperCase() : digits);
    }
    default:
      return { message: `unsupported format character '${conversion}'` };
  }
}

function pad(text: string, flags: string, width: number, numeric: boolean): string {
  if (text.length >= width) return text;
  if (flags.includes('-')) return text.padEnd(width);
  if (numeric && flags.includes('0')) {
    const sign = text.startsWith('-') ? '-' : '';
    return sign + text.slice(sign.length).padStart(width - sign.length, '0');
  }
  return text.padStart(width);
}
