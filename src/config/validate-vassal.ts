// Parsed vassal document -> LoadResult. Total: every problem is collected, nothing throws. Pure
// but for the account lookups and the file-system checks, which go through ctx.runAs.accounts and ctx.paths.
import { defaultAccounts } from './account-directory.js';
import { checkProcessPaths } from './check-paths.js';
import type { PathProbe } from './check-paths.js';
import { createReport } from './report.js';
import type { Report } from './report.js';
import { resolveDocument } from './resolve-document.js';
import type { DocumentContext, ResolvedDocument } from './resolve-document.js';
import { resolveRestart } from './read-restart-keys.js';
import { resolveSockets } from './resolve-run-as.js';
import type { RunAsContext } from './resolve-run-as.js';
import { resolveStandin } from './resolve-standin.js';
import type { StandinDocument } from './resolve-standin.js';
import type { ProcessSpec, ReloadStrategy, SocketSpec } from '../core/spec.js';
import type { LoadResult } from './spec.js';
import type { VassalFormat } from './vassal-file-name.js';
import { vassalNameOf } from './vassal-file-name.js';

export interface ValidateContext {
  /** Absolute path of the vassal file (symlinks not resolved). */
  readonly file: string;
  readonly format: VassalFormat;
  readonly contentHash: string;
  /** The program that runs uWSGI vassals. */
  readonly vassalWrapper: string;
  readonly requiredHeartbeatMs?: number;
  /** Parser findings, already formatted `file: message`. */
  readonly parseWarnings?: readonly string[];
  /** The file named by `emperor.standin.file`, when there is one. */
  readonly standin?: StandinDocument;
  /** Who may run as whom; default: the system's databases, and the emperor's own uid. */
  readonly runAs?: RunAsContext;
  /** Check working directories and programs through this; absent: not checked (pure validation). */
  readonly paths?: PathProbe;
}

// Validate and resolve one parsed vassal document into a VassalSpec, or all of its problems
export function validateVassal(raw: unknown, ctx: ValidateContext): LoadResult {
  const report = createReport(ctx.file);
  report.warnings.push(...(ctx.parseWarnings ?? []));
  const docCtx: DocumentContext = {
    vassalWrapper: ctx.vassalWrapper,
    requiredHeartbeatMs: ctx.requiredHeartbeatMs,
    runAs: ctx.runAs ?? { accounts: defaultAccounts(), emperorUid: process.getuid?.() ?? 0 },
  };
  const document = resolveDocument(raw, ctx.file, ctx.format, docCtx, report);
  const name = vassalNameOf(ctx.file);
  if (document === undefined) {
    // Still show the stand-in file's own problems, so that one run lists everything to fix.
    if (ctx.standin !== undefined && !ctx.standin.ok) report.errors.push(...ctx.standin.errors);
    return { ok: false, name, file: ctx.file, errors: report.errors, warnings: report.warnings };
  }
  const standin = resolveStandin(document.written.standin, document.process, ctx.standin, docCtx, report);
  const sockets = resolveSockets(document.written.sockets ?? [], document.process.runAs, docCtx.runAs, report);
  const reload = resolveReload(document, sockets, standin, report);
  const after = document.written.after ?? [];
  checkWarmStandin(document.written.warmStandin, standin, report);
  if (after.includes(name)) report.error('emperor.after', `a vassal cannot wait for itself (${name})`);
  if (ctx.paths !== undefined) checkPaths(document, standin, ctx.file, ctx.paths, report);
  if (report.errors.length > 0) return { ok: false, name, file: ctx.file, errors: report.errors, warnings: report.warnings };
  const restart = resolveRestart(document.written.restart);
  const singleton = document.written.singleton;
  const warm = document.written.warmStandin === true;
  const spec = { name, file: ctx.file, format: ctx.format, flavour: document.flavour, process: document.process, standin, sockets, reload, restart, ...(after.length > 0 ? { after } : {}), ...(singleton ? { singleton } : {}), ...(warm ? { warmStandin: true as const } : {}) };
  return { ok: true, spec: { ...spec, contentHash: ctx.contentHash, warnings: report.warnings } };
}

// The vassal's own process, then its stand-in's where it differs (a stand-in file's problems name that file).
function checkPaths(document: ResolvedDocument, standin: ProcessSpec | undefined, file: string, probe: PathProbe, report: Report): void {
  checkProcessPaths(document.process, { file, prefix: 'emperor', uwsgi: document.flavour === 'uwsgi' }, probe, report);
  if (standin === undefined) return;
  const written = document.written.standin;
  const uwsgi = standin.protocol === 'uwsgi';
  const source = written?.kind === 'file' ? { file: written.file, prefix: 'emperor', uwsgi } : { file, prefix: 'emperor.standin', uwsgi };
  checkProcessPaths(standin, source, probe, report, document.process);
}

// A warm stand-in waits on EMPEROR_GO_FD before it loads its app: a program that never reads it
// would serve old code the moment it started, so only plain stand-ins qualify.
function checkWarmStandin(warm: boolean | undefined, standin: ProcessSpec | undefined, report: Report): void {
  if (warm !== true) return;
  if (standin === undefined) report.error('emperor.warm-standin', 'a warm stand-in needs a stand-in: add `emperor.standin` (and `reload: dance`)');
  else if (standin.protocol === 'uwsgi') report.error('emperor.warm-standin', 'a uWSGI stand-in cannot be held before loading its app (uWSGI does not read EMPEROR_GO_FD); give the stand-in a command that waits on it, see docs/vassal-format.md');
}

function resolveReload(document: ResolvedDocument, sockets: readonly SocketSpec[], standin: ProcessSpec | undefined, report: Report): ReloadStrategy {
  const { flavour, written } = document;
  const reload = written.reload ?? (flavour === 'uwsgi' ? 'in-place' : sockets.length > 0 ? 'overlap' : 'stop-start');
  if (reload === 'in-place' && flavour === 'native') {
    report.error('emperor.reload', 'expected stop-start, overlap or dance for a native vassal, got `in-place` (string); in-place reloads need a uWSGI vassal (a `uwsgi` section and no emperor.command)');
  }
  const standinFailed = report.errors.some((problem) => problem.file !== report.file || problem.key.startsWith('emperor.standin'));
  if (reload === 'dance' && standin === undefined && !standinFailed) {
    report.error('emperor.reload', 'dance needs a stand-in: add `emperor.standin` (overrides such as { env: { JOB_HANDLERS: "0" } }, or { file: PATH })');
  }
  return reload;
}
