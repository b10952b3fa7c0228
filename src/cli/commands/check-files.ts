// What `emperor check` does: the daemon's own checks of vassal files (the same loader, the same
// options, the same one-file-per-name rule) without running anything.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatProblem, loadOptionsOf, type ConfigProblem, type LoadOptions, type LoadResult } from '../../config/spec.js';
import { vassalNameOf } from '../../config/vassal-file-name.js';
import { duplicateNameProblem, vassalFilesIn } from '../../config/vassal-files.js';
import { parseEtcdVassalsUrl } from '../../lib/etcd-url.js';
import { readEtcdVassalKeys } from '../etcd-vassal-keys.js';
import { usageError } from '../exit-codes.js';
import { painter, useColour } from '../output.js';

export interface CheckFlags {
  vassals?: string;
  json?: boolean;
  vassalWrapper: string;
  requiredHeartbeat: number;
  tyrant?: boolean;
  tyrantAllowRoot?: boolean;
}

/** What `--json` prints for one file. */
interface FileReport {
  readonly file: string;
  readonly name: string;
  readonly ok: boolean;
  readonly errors: readonly ConfigProblem[];
  readonly warnings: readonly string[];
}


export async function check(paths: readonly string[], flags: CheckFlags): Promise<number> {
  if (paths.length === 0 && flags.vassals === undefined) throw usageError('nothing to check: give vassal files, or --vassals DIR (see `emperor check --help`)');
  const opts = loadOptionsOf({ vassalWrapper: flags.vassalWrapper, requiredHeartbeatMs: flags.requiredHeartbeat, tyrant: flags.tyrant === true, tyrantAllowRoot: flags.tyrantAllowRoot === true });
  const reports: FileReport[] = [];
  const missing: string[] = [];
  if (flags.vassals?.startsWith('etcd:')) reports.push(...(await checkEtcd(flags.vassals, opts)));
  else if (flags.vassals !== undefined) reports.push(...(await checkDirectory(flags.vassals, opts)));
  for (const path of paths) {
    const found = await stat(path).catch(() => undefined);
    if (found === undefined) missing.push(path);
    else if (found.isDirectory()) reports.push(...(await checkDirectory(path, opts)));
    else reports.push(await checkFile(resolve(path), opts));
  }
  const ok = missing.length === 0 && reports.every((r) => r.ok);
  if (flags.json) {
    const missingReports = missing.map((path) => ({ file: resolve(path), name: vassalNameOf(path), ok: false, errors: [{ file: resolve(path), key: '', message: 'no such file or directory' }], warnings: [] }));
    process.stdout.write(`${JSON.stringify({ ok, files: [...reports, ...missingReports] }, null, 2)}\n`);
  } else {
    for (const path of missing) process.stderr.write(`${path}: no such file or directory\n`);
    printReports(reports);
  }
  return ok ? 0 : 1;
}

// Every vassal file of a directory, with the daemon's rule that a name has one file (the first, by name order).
async function checkDirectory(dir: string, opts: LoadOptions): Promise<FileReport[]> {
  let files: string[];
  try {
    files = vassalFilesIn(resolve(dir));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : (err as Error).message;
    throw usageError(`${dir}: ${why}`);
  }
  const { loadVassalFile } = await loader();
  return checkEach(files, (file) => loadVassalFile(file, opts));
}

// Every vassal key under an etcd prefix, read once, with the same rule.
async function checkEtcd(written: string, opts: LoadOptions): Promise<FileReport[]> {
  const url = parseEtcdVassalsUrl(written);
  if (!url.ok) throw usageError(`--vassals: ${url.message}`);
  const keys = await readEtcdVassalKeys(url).catch((err: unknown) => {
    throw usageError(`${written}: cannot read the keys from etcd: ${(err as Error).message}`);
  });
  const bytes = new Map(keys.map((k) => [k.file, k.bytes]));
  const { loadVassalContent } = await loader();
  return checkEach(keys.map((k) => k.file), (file) => loadVassalContent(file, bytes.get(file) ?? Buffer.alloc(0), opts));
}

// The loader pulls in every parser and the spec checks: loaded only when `check` runs, so other
// commands start quickly.
const loader = (): Promise<typeof import('../../config/load-vassal-file.js')> => import('../../config/load-vassal-file.js');

async function checkEach(files: readonly string[], load: (file: string) => Promise<LoadResult>): Promise<FileReport[]> {
  const owners = new Map<string, string>();
  const reports: FileReport[] = [];
  for (const file of files) {
    const name = vassalNameOf(file);
    const owner = owners.get(name);
    if (owner === undefined) {
      owners.set(name, file);
      reports.push(reportOf(file, await load(file)));
    } else {
      const error = { file, key: '', message: duplicateNameProblem(name, owner) };
      reports.push({ file, name, ok: false, errors: [error], warnings: [] });
    }
  }
  return reports;
}

async function checkFile(file: string, opts: LoadOptions): Promise<FileReport> {
  const { loadVassalFile } = await loader();
  return reportOf(file, await loadVassalFile(file, opts));
}

function reportOf(file: string, result: LoadResult): FileReport {
  if (result.ok) return { file, name: result.spec.name, ok: true, errors: [], warnings: result.spec.warnings };
  return { file, name: result.name, ok: false, errors: result.errors, warnings: result.warnings };
}

function printReports(reports: readonly FileReport[]): void {
  const paint = painter(useColour());
  for (const r of reports) {
    for (const w of r.warnings) process.stdout.write(`${paint('yellow', 'warning:')} ${w}\n`);
    if (r.ok) process.stdout.write(`${r.file}: ${paint('green', 'ok')}\n`);
    for (const p of r.errors) process.stdout.write(`${formatProblem(p)}\n`);
  }
}
