// INI text -> raw document, read line by line the way uWSGI reads it (core/ini.c), so that a
// file means the same to the emperor as to uWSGI: only a line that begins with `;` or `#` is a
// comment (an inline `;` or `#` is part of the value: `command = a; b`, `postgres://u:p#ss@h`),
// a value is everything after the first `=` with surrounding blanks removed, quotes are kept as
// written, and a line without `=` is a key with an empty value. Every value is a string.
// On top of uWSGI's reading: sections with dots nest ([emperor.env] is emperor.env), and
// `key[] = v` lines build a list.
import { isMapping } from './describe-value.js';
import type { ParsedDocument } from './parsed-document.js';

/** One `key = value` line, as uWSGI's --show-config would list it. */
export interface IniEntry {
  readonly section: string;
  readonly key: string;
  readonly value: string;
  /** 1-based. */
  readonly line: number;
}

type Section = Record<string, unknown>;

// The entries of an INI text in file order, with the problems uWSGI would pass over in silence
export function readIniEntries(text: string): { entries: IniEntry[]; warnings: string[] } {
  const entries: IniEntry[] = [];
  const warnings: string[] = [];
  let section = '';
  text.split('\n').forEach((raw, index) => {
    const line = strip(raw);
    if (line === '' || line.startsWith(';') || line.startsWith('#')) return;
    if (line.startsWith('[')) {
      // uWSGI drops the last character, whatever it is: `[uwsgi] ; note` names section "uwsgi] ;".
      section = line.slice(1, -1);
      if (!line.endsWith(']')) warnings.push(`line ${index + 1}: a section header must end with "]" (no comment after it); like uWSGI, read as the section named "${section}"`);
      return;
    }
    const eq = line.indexOf('=');
    const key = eq === -1 ? line : strip(line.slice(0, eq));
    const value = eq === -1 ? '' : strip(line.slice(eq + 1));
    entries.push({ section, key, value, line: index + 1 });
  });
  return { entries, warnings };
}

// Parse INI into nested mappings of strings (and lists, from `key[] =`)
export function parseIni(text: string): ParsedDocument {
  const { entries, warnings } = readIniEntries(text);
  const root: Section = Object.create(null) as Section;
  const seen = new Map<string, number>();
  for (const entry of entries) {
    const target = sectionOf(root, entry.section);
    if (target === undefined) {
      return { ok: false, message: `not valid INI: section [${entry.section}] (line ${entry.line}) names a key that already holds a value` };
    }
    const list = entry.key.endsWith('[]');
    const key = list ? entry.key.slice(0, -2) : entry.key;
    if (list) {
      const current = target[key];
      target[key] = Array.isArray(current) ? [...(current as unknown[]), entry.value] : [entry.value];
      continue;
    }
    if (isMapping(target[key])) {
      return { ok: false, message: `not valid INI: ${entry.key} (line ${entry.line}) is also the name of section [${dotted(entry.section, key)}]` };
    }
    target[key] = entry.value;
    // uWSGI options repeat by design; in the emperor's own sections a repeated key is likely a slip.
    const path = dotted(entry.section, key);
    const count = (seen.get(path) ?? 0) + 1;
    seen.set(path, count);
    if (count === 2 && (entry.section === 'emperor' || entry.section.startsWith('emperor.'))) {
      warnings.push(`${path}: given more than once (line ${entry.line} repeats it); the last one is used`);
    }
  }
  return { ok: true, raw: root, warnings };
}

// uWSGI's ini_lstrip/ini_rstrip: spaces, tabs and carriage returns.
function strip(text: string): string {
  return text.replace(/^[ \t\r]+|[ \t\r]+$/g, '');
}

function dotted(section: string, key: string): string {
  return section === '' ? key : `${section}.${key}`;
}

// The mapping a section header names, created as needed; undefined when a value is in the way.
function sectionOf(root: Section, name: string): Section | undefined {
  let current = root;
  if (name === '') return current;
  for (const part of name.split('.')) {
    const next = current[part];
    if (next === undefined) {
      const created: Section = Object.create(null) as Section;
      current[part] = created;
      current = created;
    } else if (isMapping(next)) current = next;
    else return undefined;
  }
  return current;
}
