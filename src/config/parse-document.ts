// Text -> unknown document: the one step that depends on the file format.
import { parseIni } from './parse-ini.js';
import { parseJson } from './parse-json.js';
import { parseYaml } from './parse-yaml.js';
import type { ParsedDocument } from './parsed-document.js';
import type { VassalFormat } from './vassal-file-name.js';

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
