// YAML text -> raw document, tolerant of what real uWSGI configs contain.
import { loadAll } from 'js-yaml';
import type { ParsedDocument } from './parsed-document.js';

// Parse YAML; uWSGI files repeat keys (mule, master-fifo, hooks), so `json: true` lets later keys win
export function parseYaml(text: string): ParsedDocument {
  const documents: unknown[] = [];
  try {
    loadAll(text, (doc) => void documents.push(doc), { json: true });
  } catch (error) {
    return { ok: false, message: `not valid YAML: ${yamlReason(error)}` };
  }
  // A trailing `---` yields an empty extra document; only real extra content deserves a word.
  const extra = documents.slice(1).filter((doc) => doc !== null && doc !== undefined).length;
  const warnings = extra > 0 ? [`the file holds ${extra + 1} YAML documents; only the first is used`] : [];
  return { ok: true, raw: documents[0], warnings };
}

function yamlReason(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { reason, mark, message } = error as { reason?: unknown; mark?: { line?: unknown; column?: unknown }; message?: unknown };
  if (typeof reason === 'string' && typeof mark?.line === 'number' && typeof mark.column === 'number') {
    return `${reason} at line ${mark.line + 1}, column ${mark.column + 1}`;
  }
  return String(message ?? error);
}
