// Text -> unknown document: the one step that depends on the file format.
import { parseIni } from './parse-ini.js';
import { parseJson } from './parse-json.js';
import { parseYaml } from './parse-yaml.js';
import type { VassalFormat } from './vassal-file-name.js';

/** A parser's answer: the raw document (not validated at all) or why the text is not readable. */
export type ParsedDocument =
  | { readonly ok: true; readonly raw: unknown; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly message: string };

// Parse vassal text with the parser its format needs
export function parseDocument(text: string, format: VassalFormat): ParsedDocument {
  switch (format) {
    case 'yaml':
      return parseYaml(text);
    case 'ini':
      return parseIni(text);
    case 'json':
      return parseJson(text);
  }
}
