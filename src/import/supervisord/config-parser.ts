// supervisord's INI dialect, read the way supervisord reads it: Python's RawConfigParser with
// supervisord's settings (inline_comment_prefixes ';' and '#', strict off). The `ini` package
// cannot stand in: it cuts `;`/`#` anywhere in a value (Python only cuts them after
// whitespace), knows no indented continuation lines and gives no line numbers, which every
// problem must name. Each value keeps the file and line it came from.
import type { ImportProblem } from '../imported-vassal.js';

export interface IniValue {
  readonly value: string;
  readonly file: string;
  readonly line: number;
}

export interface IniSection {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  /** Option names lower-cased (Python's optionxform), in the order first seen; a repeated one keeps its last value. */
  readonly options: Map<string, IniValue>;
}

/** Sections of every file read so far; a section seen again (in any file) is the same section (strict off). */
export class SupervisordConfig {
  readonly sections = new Map<string, IniSection>();
  /** `[DEFAULT]`: Python hands its options to every section that lacks them. */
  readonly defaults = new Map<string, IniValue>();

  get(section: IniSection, option: string): IniValue | undefined {
    return section.options.get(option) ?? this.defaults.get(option);
  }

  /** Every option of a section, the defaults included (as Python's items()). */
  items(section: IniSection): [string, IniValue][] {
    const all = new Map(this.defaults);
    for (const [k, v] of section.options) all.set(k, v);
    return [...all];
  }
}

// Python's str.isspace for the characters that occur in config files.
const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

// Cut an inline comment: ';' or '#' at the start of the line or after whitespace (configparser's rule)
function commentStart(line: string): number | undefined {
  let start: number | undefined;
  for (const prefix of [';', '#']) {
    for (let i = line.indexOf(prefix); i !== -1; i = line.indexOf(prefix, i + 1)) {
      if (i === 0 || isSpace(line[i - 1])) {
        start = start === undefined ? i : Math.min(start, i);
        break;
      }
    }
  }
  const stripped = line.trim();
  if (stripped.startsWith('#') || stripped.startsWith(';')) return 0;
  return start;
}

const SECTION = /^\[(.+)\]/;
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/;

// Read one file's text into `config`; returns the lines it could not read (it keeps going, like Python)
export function readSupervisordText(config: SupervisordConfig, text: string, file: string): ImportProblem[] {
  const problems: ImportProblem[] = [];
  let current: Map<string, IniValue> | undefined;
  let pending: { name: string; parts: string[]; line: number } | undefined;
  let indentLevel = 0;
  const flush = (): void => {
    if (current && pending) current.set(pending.name, { value: joinValue(pending.parts), file, line: pending.line });
  };
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const cut = commentStart(line);
    const value = (cut === undefined ? line : line.slice(0, cut)).trim();
    if (value === '') {
      // An empty line belongs to a value being continued, unless the line held a comment.
      if (cut === undefined && pending) pending.parts.push('');
      return;
    }
    const indent = line.search(/\S/);
    if (pending && indent > indentLevel) {
      pending.parts.push(value);
      return;
    }
    indentLevel = indent;
    const header = SECTION.exec(value);
    if (header) {
      flush();
      pending = undefined;
      const name = header[1] ?? '';
      if (name === 'DEFAULT') current = config.defaults;
      else {
        const existing = config.sections.get(name);
        const section = existing ?? { name, file, line: lineNo, options: new Map<string, IniValue>() };
        if (!existing) config.sections.set(name, section);
        current = section.options;
      }
      return;
    }
    if (current === undefined) {
      problems.push({ file, line: lineNo, message: `expected a [section] header before the first option, got ${JSON.stringify(value)}` });
      return;
    }
    const option = OPTION.exec(value);
    const name = option?.[1]?.trimEnd().toLowerCase() ?? '';
    if (!option || name === '') {
      // Python keeps going (and supervisord then refuses the file); a later indented line still continues the last option.
      problems.push({ file, line: lineNo, message: `expected \`key = value\`, a [section] header or a comment, got ${JSON.stringify(value)}` });
      return;
    }
    flush();
    pending = { name, parts: [(option[3] ?? '').trim()], line: lineNo };
  });
  flush();
  return problems;
}

// Continuation lines join with newlines; trailing empty lines go (configparser's _join_multiline_values)
function joinValue(parts: readonly string[]): string {
  return parts.join('\n').trimEnd();
}
