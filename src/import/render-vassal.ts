// An imported vassal as the YAML text of its file: a header that says where it came from and
// everything that did not carry over exactly, then the `emperor` section. The same input gives
// the same bytes (no dates, keys in a fixed order).
import { dump } from 'js-yaml';
import type { ImportedVassal } from './imported-vassal.js';

export type ImportSource = 'supervisord' | 'gravity' | 'pm2';

export function renderVassal(v: ImportedVassal, source: ImportSource): string {
  const lines = [`# Imported by \`emperor import ${source}\` from ${v.origin}.`, '# Check it with `emperor check FILE`; edit it freely: it is an ordinary vassal file.'];
  const block = (title: string, items: readonly string[]): void => {
    if (items.length === 0) return;
    lines.push('#', `# ${title}:`, ...items.map((item) => `#   - ${item.replace(/\n/g, '\\n')}`));
  };
  block('Notes', v.notes);
  block('Carried over approximately', v.approximate);
  block('Not mapped (no equivalent in the emperor)', v.unmapped);
  const body = dump({ emperor: v.emperor }, { lineWidth: -1, noRefs: true, sortKeys: false, quotingType: '"' });
  return `${lines.join('\n')}\n${body}`;
}

/** The file's path under the output directory. */
export function vassalPath(v: ImportedVassal): string {
  return v.subdir === undefined ? `${v.name}.yml` : `${v.subdir}/${v.name}.yml`;
}
