// Read and parse the file named by `standin.file`, so that validation itself stays pure.
import { parseDocument } from './parse-document.js';
import { readVassalText } from './read-vassal-text.js';
import type { StandinDocument } from './resolve-standin.js';
import { formatProblem } from './spec.js';
import type { ConfigProblem } from './spec.js';
import { vassalFormatOf } from './vassal-file-name.js';

// Load a stand-in file; a missing file is the vassal's problem (its `standin.file` key), others are the stand-in's
export async function loadStandinDocument(standinFile: string, vassalFile: string): Promise<StandinDocument> {
  const fail = (problem: ConfigProblem): StandinDocument => ({ ok: false, file: standinFile, errors: [problem] });
  const format = vassalFormatOf(standinFile);
  if (format === undefined) {
    return fail({ file: vassalFile, key: 'emperor.standin.file', message: `expected a .yml, .yaml, .ini or .json file, got ${standinFile}` });
  }
  const text = await readVassalText(standinFile);
  if (!text.ok && text.missing) {
    return fail({ file: vassalFile, key: 'emperor.standin.file', message: `the stand-in file ${standinFile} does not exist` });
  }
  if (!text.ok) return fail({ file: standinFile, key: '', message: text.message });
  const parsed = parseDocument(text.text, format);
  if (!parsed.ok) return fail({ file: standinFile, key: '', message: parsed.message });
  const warnings = parsed.warnings.map((message) => formatProblem({ file: standinFile, key: '', message }));
  return { ok: true, file: standinFile, format, raw: parsed.raw, warnings };
}
