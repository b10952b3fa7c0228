// JSON text -> raw document (same shape as the YAML form).
import type { ParsedDocument } from './parsed-document.js';

// Parse JSON; a repeated key keeps its last value, as JSON.parse does
export function parseJson(text: string): ParsedDocument {
  try {
    return { ok: true, raw: JSON.parse(text) as unknown, warnings: [] };
  } catch (error) {
    return { ok: false, message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}
