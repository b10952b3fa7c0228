// One parsed file (a vassal or a stand-in file) -> its flavour and ProcessSpec.
import { describeValue, isMapping } from './describe-value.js';
import { readEmperorSection } from './read-emperor-section.js';
import type { Report } from './report.js';
import { resolveProcess, uwsgiCommand } from './resolve-process.js';
import type { ProcessOrigin } from './resolve-process.js';
import { checkTyrantLogto, resolveRunAs } from './resolve-run-as.js';
import type { RunAsContext } from './resolve-run-as.js';
import type { Command, ProcessSpec } from '../core/spec.js';
import { isEtcdVassal, vassalBaseDir, type VassalFormat } from './vassal-file-name.js';
import type { WrittenVassal } from './written-vassal.js';
import { EMPEROR_KEYS } from './written-vassal.js';

/** What resolving a document needs besides the document: the emperor's options and who may run as whom. */
export interface DocumentContext {
  /** The program that runs uWSGI vassals. */
  readonly vassalWrapper: string;
  readonly requiredHeartbeatMs?: number | undefined;
  readonly runAs: RunAsContext;
}

export interface ResolvedDocument {
  readonly flavour: 'native' | 'uwsgi';
  readonly written: WrittenVassal;
  readonly process: ProcessSpec;
}

// Decide native vs uWSGI and resolve the process; undefined when the file cannot describe one
export function resolveDocument(raw: unknown, file: string, format: VassalFormat, opts: DocumentContext, report: Report): ResolvedDocument | undefined {
  if (raw === undefined || raw === null) {
    report.error('', 'the file holds no settings (only comments?); a vassal needs `emperor.command` or a `uwsgi` section');
    return undefined;
  }
  if (!isMapping(raw)) {
    report.error('', `expected a mapping at the top level, with an \`emperor\` or a \`uwsgi\` section, got ${describeValue(raw)}`);
    return undefined;
  }
  const misplaced = misplacedKeys(raw, report);
  const written = readEmperorSection(raw.emperor, report, vassalBaseDir(file));
  if (written === undefined) return undefined;
  const flavour = flavourOf(raw, written, misplaced, report);
  if (flavour === undefined) return undefined;
  if (flavour === 'uwsgi' && isEtcdVassal(file)) {
    // uWSGI is handed the vassal's file (uwsgi --yaml FILE), and an etcd key is no file.
    report.error('uwsgi', 'a uWSGI vassal cannot come from etcd: uWSGI reads its config from a file; keep it in a vassals directory, or run uwsgi through `emperor.command`');
    return undefined;
  }
  const origin: ProcessOrigin = { file, format, flavour, vassalWrapper: opts.vassalWrapper, uwsgiHeartbeat: hasHeartbeat(raw.uwsgi), requiredHeartbeatMs: opts.requiredHeartbeatMs };
  const command: Command | undefined = flavour === 'uwsgi' ? uwsgiCommand(origin) : written.command;
  // An invalid command was already reported by readEmperorSection.
  if (command === undefined) return undefined;
  const runAs = resolveRunAs(written, opts.runAs, report);
  checkTyrantLogto(written.logto, runAs, opts.runAs, 'emperor.logto', report);
  return { flavour, written, process: { ...resolveProcess(written, command, origin, 'emperor', report), runAs, ...(written.dirs?.length ? { dirs: written.dirs } : {}) } };
}

// `emperor.command` makes a native vassal even next to a uwsgi section; a uwsgi section alone makes a uWSGI one.
function flavourOf(raw: Record<string, unknown>, written: WrittenVassal, misplaced: readonly string[], report: Report): 'native' | 'uwsgi' | undefined {
  if (written.hasCommandKey) return 'native';
  if (!Object.hasOwn(raw, 'uwsgi')) {
    // A top-level `command` was already reported with where it belongs.
    if (!misplaced.includes('command')) report.error('emperor.command', 'missing: a vassal needs `emperor.command` (or a `uwsgi` section)');
    return undefined;
  }
  if (isMapping(raw.uwsgi)) return 'uwsgi';
  report.error('uwsgi', `expected a mapping of uWSGI options, got ${describeValue(raw.uwsgi)}`);
  return undefined;
}

// Emperor keys written at the top level, outside the emperor section: a top-level mapping may be
// another program's section (its business), but a `command` or a plain value there is a slip.
function misplacedKeys(raw: Record<string, unknown>, report: Report): string[] {
  const misplaced = EMPEROR_KEYS.filter((name) => Object.hasOwn(raw, name) && (name === 'command' || !isMapping(raw[name])));
  for (const name of misplaced) {
    report.error(name, `belongs in the emperor section, as emperor.${name} (YAML and JSON: inside \`emperor\`; INI: under [emperor]); top-level keys are other programs' sections`);
  }
  return misplaced;
}

function hasHeartbeat(uwsgi: unknown): boolean {
  if (!isMapping(uwsgi)) return false;
  const heartbeat = uwsgi.heartbeat;
  return heartbeat !== undefined && heartbeat !== null && heartbeat !== false;
}
