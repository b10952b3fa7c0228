// The only entry point with file-system access: read -> parse -> validate (with directories and programs)
// (and, in tyrant mode, who owns and may write the file).
import { hash } from 'node:crypto';
import path from 'node:path';
import { defaultAccounts } from './account-directory.js';
import { REAL_PATH_PROBE } from './check-paths.js';
import { loadStandinDocument } from './load-standin-document.js';
import { parseDocument } from './parse-document.js';
import { readVassalText, vassalTextOf, type FileOwnership } from './read-vassal-text.js';
import { standinFileOf } from './read-standin.js';
import { formatProblem } from './spec.js';
import type { ConfigProblem, LoadOptions, LoadResult } from './spec.js';
import { tyrantProblems, tyrantStandinProblems } from './tyrant-file.js';
import { validateVassal } from './validate-vassal.js';
import { vassalFormatOf, vassalNameOf, type VassalFormat } from './vassal-file-name.js';

// Load one vassal file into a VassalSpec or the list of everything wrong with it; never rejects
export async function loadVassalFile(file: string, opts: LoadOptions): Promise<LoadResult> {
  // Resolve without following symlinks: the link is the vassal, whatever it points to.
  const absolute = path.resolve(file);
  try {
    return await load(absolute, opts);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return failure(absolute, [{ file: absolute, key: '', message: `internal error while loading (please report it): ${reason}` }]);
  }
}

// The same for a vassal whose text comes from elsewhere than a file (an etcd key): `file` names
// it (etcd://…/web.yml) in its errors and gives its format and name; never rejects.
export async function loadVassalContent(file: string, bytes: Buffer, opts: LoadOptions): Promise<LoadResult> {
  try {
    const format = formatOf(file);
    if (typeof format !== 'string') return format;
    const text = vassalTextOf(bytes);
    if (!text.ok) return failure(file, [{ file, key: '', message: text.message }]);
    return await fromText(file, format, text, undefined, opts);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return failure(file, [{ file, key: '', message: `internal error while loading (please report it): ${reason}` }]);
  }
}

async function load(file: string, opts: LoadOptions): Promise<LoadResult> {
  const format = formatOf(file);
  if (typeof format !== 'string') return format;
  const text = await readVassalText(file);
  if (!text.ok) return { ...failure(file, [{ file, key: '', message: text.message }]), ...(text.transient ? { transient: true as const } : {}) };
  return fromText(file, format, text, text.owner, opts);
}

function formatOf(file: string): VassalFormat | LoadResult {
  return vassalFormatOf(file) ?? failure(file, [{ file, key: '', message: 'expected a .yml, .yaml, .ini or .json file' }]);
}

// Parse and validate a vassal's text; `owner` is the file's (undefined: not a file, no owner).
async function fromText(file: string, format: VassalFormat, text: { readonly bytes: Buffer; readonly text: string }, owner: FileOwnership | undefined, opts: LoadOptions): Promise<LoadResult> {
  const parsed = parseDocument(text.text, format);
  if (!parsed.ok) return failure(file, [{ file, key: '', message: parsed.message }]);
  const standinFile = standinFileOf(parsed.raw, file);
  const accounts = defaultAccounts();
  if (opts.tyrant !== undefined && owner === undefined) return failure(file, [{ file, key: '', message: 'tyrant mode runs each vassal as the owner of its file, and this vassal (from etcd) has no owner' }]);
  const tyrant = opts.tyrant === undefined || owner === undefined ? [] : await tyrantProblems(file, owner, opts.tyrant.allowRoot, accounts);
  if (opts.tyrant !== undefined && owner !== undefined && standinFile !== undefined) tyrant.push(...(await tyrantStandinProblems(standinFile, owner.uid, accounts)));
  const result = validateVassal(parsed.raw, {
    file,
    format,
    // One-shot: a Hash object per load (createHash) cost about 5 times the CPU, and more once
    // thousands of files arrive at once (its OpenSSL context is fresh memory after every spawn).
    contentHash: hash('sha1', text.bytes, 'hex'),
    vassalWrapper: opts.vassalWrapper,
    requiredHeartbeatMs: opts.requiredHeartbeatMs,
    parseWarnings: parsed.warnings.map((message) => formatProblem({ file, key: '', message })),
    ...(standinFile === undefined ? {} : { standin: await loadStandinDocument(standinFile, file) }),
    paths: REAL_PATH_PROBE,
    runAs: {
      accounts,
      emperorUid: opts.emperorUid ?? process.getuid?.() ?? 0,
      ...(opts.tyrant === undefined || owner === undefined ? {} : { tyrant: { uid: owner.uid, gid: owner.gid } }),
    },
  });
  if (!result.ok) return tyrant.length === 0 ? result : { ...result, errors: [...tyrant, ...result.errors] };
  return tyrant.length === 0 ? result : failure(file, tyrant, result.spec.warnings);
}

function failure(file: string, errors: readonly ConfigProblem[], warnings: readonly string[] = []): LoadResult {
  return { ok: false, name: vassalNameOf(file), file, errors, warnings };
}
