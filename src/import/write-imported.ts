// Putting imported vassals on disk, all or nothing: every target is checked first (an existing
// file is never replaced without --force), every file is loaded by the emperor's own loader
// from a staging directory, and only then are they written (each by rename, so a watching
// emperor never reads half a file). --dry-run prints them instead.
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadVassalFile } from '../config/load-vassal-file.js';
import { formatProblem } from '../config/spec.js';
import type { ImportedVassal } from './imported-vassal.js';
import { renderVassal, vassalPath } from './render-vassal.js';
import type { ImportSource } from './render-vassal.js';

export interface WriteOptions {
  readonly outDir: string;
  readonly dryRun: boolean;
  readonly force: boolean;
  /** Load every file with the emperor's loader before writing (default on). */
  readonly check: boolean;
}

export interface WriteReport {
  readonly ok: boolean;
  /** Lines for stdout: the files (dry run) or what was written. */
  readonly out: string[];
  /** Problems (ok false) or warnings, for stderr. */
  readonly errors: string[];
  readonly warnings: string[];
}

// Keys whose problems depend on the host the check runs on (a missing directory or user here may exist on the target host).
const HOST_KEYS = new Set(['emperor.cwd', 'emperor.user', 'emperor.group', 'emperor.standin.cwd']);

export async function writeImported(vassals: readonly ImportedVassal[], source: ImportSource, opts: WriteOptions): Promise<WriteReport> {
  const outDir = path.resolve(opts.outDir);
  const files = vassals.map((v) => ({ vassal: v, rel: vassalPath(v), text: renderVassal(v, source) }));
  const errors = await conflicts(outDir, files.map((f) => f.rel), opts.force);
  if (errors.length > 0) return { ok: false, out: [], errors, warnings: [] };
  const checked = opts.check ? await checkWithLoader(outDir, files) : { errors: [], warnings: [] };
  if (checked.errors.length > 0) return { ok: false, out: [], errors: checked.errors, warnings: checked.warnings };
  if (opts.dryRun) {
    const out = files.flatMap((f) => [`# ---- ${path.join(outDir, f.rel)} ----`, f.text.trimEnd()]);
    return { ok: true, out, errors: [], warnings: checked.warnings };
  }
  const out: string[] = [];
  for (const f of files) {
    const target = path.join(outDir, f.rel);
    await mkdir(path.dirname(target), { recursive: true });
    // Written beside the target as a dotfile (which the emperor ignores), then renamed over it.
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.import-${process.pid}`);
    await writeFile(temp, f.text, { mode: 0o644 });
    await rename(temp, target);
    out.push(`wrote ${target}`);
  }
  return { ok: true, out, errors: [], warnings: checked.warnings };
}

// Targets that exist (refused without --force) and vassal names already taken by a file of another extension
async function conflicts(outDir: string, rels: readonly string[], force: boolean): Promise<string[]> {
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const rel of rels) {
    if (seen.has(rel)) errors.push(`${path.join(outDir, rel)}: two imported processes would both be written here; give them different names`);
    seen.add(rel);
  }
  for (const dir of new Set(rels.map((r) => path.dirname(r)))) {
    const names = await readdir(path.join(outDir, dir)).catch(() => [] as string[]);
    for (const rel of rels.filter((r) => path.dirname(r) === dir)) {
      const base = path.basename(rel, '.yml');
      const file = path.join(outDir, rel);
      if (names.includes(`${base}.yml`)) {
        if (!force) errors.push(`${file}: exists; not overwritten (use --force to replace it)`);
        else if (!(await stat(file)).isFile()) errors.push(`${file}: exists and is not a regular file; not replaced even with --force`);
      }
      for (const other of ['yaml', 'ini', 'json']) {
        if (names.includes(`${base}.${other}`)) errors.push(`${file}: vassal ${base} already exists as ${path.join(outDir, dir, `${base}.${other}`)}; remove or rename it first`);
      }
    }
  }
  return errors;
}

// Load each file with the emperor's loader from a staging directory; problems read with the target's path
async function checkWithLoader(outDir: string, files: readonly { rel: string; text: string }[]): Promise<{ errors: string[]; warnings: string[] }> {
  const staging = await mkdtemp(path.join(tmpdir(), 'emperor-import-'));
  const errors: string[] = [];
  const warnings: string[] = [];
  try {
    for (const f of files) {
      const staged = path.join(staging, f.rel);
      const target = path.join(outDir, f.rel);
      await mkdir(path.dirname(staged), { recursive: true });
      await writeFile(staged, f.text);
      const result = await loadVassalFile(staged, { vassalWrapper: 'uwsgi' });
      const retarget = (line: string): string => line.split(staged).join(target);
      for (const w of result.ok ? result.spec.warnings : result.warnings) warnings.push(retarget(w));
      if (result.ok) continue;
      for (const p of result.errors) {
        const line = retarget(formatProblem(p));
        if (HOST_KEYS.has(p.key)) warnings.push(`${line} (on this host; it may hold on the host the file is for)`);
        else errors.push(line);
      }
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { errors, warnings };
}
