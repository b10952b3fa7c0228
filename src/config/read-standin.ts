// `standin`: overrides merged onto the vassal's own process, or {file: PATH} naming another vassal-format file.
import path from 'node:path';
import { describeValue, isMapping } from './describe-value.js';
import { readPath, readProcessKeys } from './read-process-keys.js';
import type { Report } from './report.js';
import { rejectUnknownKeys } from './unknown-keys.js';
import { vassalBaseDir } from './vassal-file-name.js';
import { ACCOUNT_KEYS, STANDIN_KEYS } from './written-vassal.js';
import type { WrittenStandin } from './written-vassal.js';

// Read a written stand-in; `file` is resolved against baseDir and excludes every other key
export function readStandin(raw: unknown, key: string, report: Report, baseDir: string): WrittenStandin | undefined {
  if (!isMapping(raw)) {
    report.error(key, `expected a mapping of overrides like { env: { JOB_HANDLERS: "0" } } or { file: ../restarter.yml }, got ${describeValue(raw)}`);
    return undefined;
  }
  for (const name of ACCOUNT_KEYS.filter((k) => Object.hasOwn(raw, k))) {
    report.error(`${key}.${name}`, `the stand-in runs as the vassal's own user and group: set \`emperor.${name}\` instead`);
  }
  rejectUnknownKeys(raw, key, STANDIN_KEYS, report, ACCOUNT_KEYS);
  if (Object.hasOwn(raw, 'file')) {
    const others = Object.keys(raw).filter((k) => k !== 'file' && (STANDIN_KEYS as readonly string[]).includes(k));
    if (others.length > 0) {
      report.error(key, `expected either \`file\` or overrides, got both (\`file\` and ${others.map((k) => `\`${k}\``).join(', ')}); put the overrides in the stand-in file`);
      return undefined;
    }
    const file = readPath(raw.file, `${key}.file`, report);
    return file === undefined ? undefined : { kind: 'file', file: path.resolve(baseDir, file) };
  }
  return { kind: 'overrides', overrides: readProcessKeys(raw, key, report) };
}

// The absolute path of the stand-in file a raw document names, if any, so the loader can read it first
export function standinFileOf(raw: unknown, vassalFile: string): string | undefined {
  if (!isMapping(raw) || !isMapping(raw.emperor) || !isMapping(raw.emperor.standin)) return undefined;
  const file = raw.emperor.standin.file;
  if (typeof file !== 'string' || file.trim() === '' || file.includes('\0')) return undefined;
  return path.resolve(vassalBaseDir(vassalFile), file);
}
