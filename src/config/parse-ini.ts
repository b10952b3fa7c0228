// INI text -> raw document. Sections with dots nest: [emperor.env] becomes emperor.env.
import { parse } from 'ini';
import type { ParsedDocument } from './parsed-document.js';

// Parse INI; a repeated key keeps its last value (`key[] =` lines build a list), so uWSGI files load
export function parseIni(text: string): ParsedDocument {
  try {
    return { ok: true, raw: parse(text), warnings: [] };
  } catch (error) {
    return { ok: false, message: `not valid INI: ${error instanceof Error ? error.message : String(error)}` };
  }
}
