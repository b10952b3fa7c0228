// The stand-in of the restart dance: overrides of the vassal's own process, or a file of its own.
import type { Report } from './report.js';
import { createReport } from './report.js';
import { resolveDocument } from './resolve-document.js';
import type { DocumentContext } from './resolve-document.js';
import { applyOverrides } from './resolve-process.js';
import { checkTyrantLogto } from './resolve-run-as.js';
import type { ProcessSpec, RunAs } from '../core/spec.js';
import type { ConfigProblem } from './spec.js';
import type { VassalFormat } from './vassal-file-name.js';
import type { WrittenStandin } from './written-vassal.js';
import { RESTART_KEYS } from './written-vassal.js';
import { isMapping } from './describe-value.js';

/** The file named by `standin.file`, read and parsed by the loader before validation. */
export type StandinDocument =
  | { readonly ok: true; readonly file: string; readonly format: VassalFormat; readonly raw: unknown; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly file: string; readonly errors: readonly ConfigProblem[] };

/** Keys of a stand-in file that only make sense for a vassal: the stand-in uses the vassal's own. */
const VASSAL_ONLY_KEYS = ['reload', 'sockets', 'standin'] as const;

// Resolve the stand-in's ProcessSpec; problems in a stand-in file are reported with that file's path
export function resolveStandin(
  written: WrittenStandin | undefined,
  base: ProcessSpec,
  document: StandinDocument | undefined,
  opts: DocumentContext,
  report: Report,
): ProcessSpec | undefined {
  if (written === undefined) return undefined;
  if (written.kind === 'overrides') {
    checkTyrantLogto(written.overrides.logto, base.runAs, opts.runAs, 'emperor.standin.logto', report);
    return applyOverrides(base, written.overrides, report.file, 'emperor.standin', report);
  }
  if (document === undefined || document.file !== written.file) {
    report.error('emperor.standin.file', `the stand-in file ${written.file} was not read (load vassal files with loadVassalFile)`);
    return undefined;
  }
  if (!document.ok) {
    report.errors.push(...document.errors);
    return undefined;
  }
  const own = createReport(document.file);
  own.warnings.push(...document.warnings);
  const resolved = resolveDocument(document.raw, document.file, document.format, opts, own);
  for (const key of VASSAL_ONLY_KEYS) {
    if (resolved?.written[key] !== undefined) own.warn(`emperor.${key}`, 'ignored in a stand-in file: the vassal\'s own setting applies');
  }
  const raw = isMapping(document.raw) && isMapping(document.raw.emperor) ? document.raw.emperor : {};
  for (const key of RESTART_KEYS.filter((k) => Object.hasOwn(raw, k))) {
    own.warn(`emperor.${key}`, 'ignored in a stand-in file: a stand-in is never respawned, the vassal\'s own restart policy applies');
  }
  const writesAccount = resolved !== undefined && (resolved.written.user !== undefined || resolved.written.group !== undefined);
  if (writesAccount && own.errors.length === 0 && !sameRunAs(resolved.process.runAs, base.runAs)) {
    own.error(resolved.written.user !== undefined ? 'emperor.user' : 'emperor.group', `the stand-in runs as the vassal's own user and group (${describeRunAs(base.runAs)}); remove this key or make it match`);
  }
  report.errors.push(...own.errors);
  report.warnings.push(...own.warnings);
  return resolved === undefined ? undefined : { ...resolved.process, runAs: base.runAs, ...(base.dirs ? { dirs: base.dirs } : {}) };
}

function sameRunAs(a: RunAs | undefined, b: RunAs | undefined): boolean {
  return a?.uid === b?.uid && a?.gid === b?.gid;
}

function describeRunAs(runAs: RunAs | undefined): string {
  return runAs === undefined ? "the emperor's own" : `${runAs.user}, gid ${runAs.gid}`;
}
