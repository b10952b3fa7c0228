// `emperor import supervisord FILE…`: one vassal per supervisord process ([program:x] times
// numprocs), every key carried over, approximated aloud, or listed as having no equivalent.
import { hostname } from 'node:os';
import path from 'node:path';
import { collectImport, ImportInputError } from '../imported-vassal.js';
import type { ImportedVassal, ImportResult } from '../imported-vassal.js';
import { orderByPriority } from './priority-order.js';
import type { ProgramProcess } from './priority-order.js';
import type { IniSection, SupervisordConfig } from './config-parser.js';
import { parseEnvironment } from './environment.js';
import { DAEMON_SECTIONS, PROGRAM_KEYS, UNMAPPED_REASONS, UNSUPPORTED_KINDS } from './key-notes.js';
import { mapProgramKeys } from './map-program-keys.js';
import type { Expansions } from './percent-format.js';
import { percentFormat } from './percent-format.js';
import { envExpansions, readSupervisordFiles } from './read-files.js';

export interface SupervisordOptions {
  /** The environment `%(ENV_X)s` reads (supervisord reads its own at start). */
  readonly env: NodeJS.ProcessEnv;
}

export function importSupervisord(files: readonly string[], opts: SupervisordOptions): Promise<ImportResult> {
  return collectImport(async () => {
    const { config, warnings } = await readSupervisordFiles(files, opts.env);
    const globalEnv = supervisordEnvironment(config, opts.env);
    const groups = groupsOf(config);
    const processes: ProgramProcess[] = [];
    for (const section of config.sections.values()) {
      const [kind, name] = splitSection(section.name);
      if (kind === 'program' && name) {
        processes.push(...programProcesses(config, section, name, groups.get(name), globalEnv, opts.env));
      } else if (kind === 'group' && name) {
        continue;
      } else if (Object.hasOwn(DAEMON_SECTIONS, kind)) {
        if (kind !== 'include') {
          const keys = [...section.options.keys()].join(', ') || 'no keys';
          warnings.push(`${section.file}:${section.line}: [${section.name}] not imported (${keys}): ${DAEMON_SECTIONS[kind]}`);
        }
      } else if (Object.hasOwn(UNSUPPORTED_KINDS, kind)) {
        warnings.push(`${section.file}:${section.line}: [${section.name}] not imported: ${UNSUPPORTED_KINDS[kind]}`);
      } else {
        warnings.push(`${section.file}:${section.line}: [${section.name}] not imported: supervisord knows no such section (it ignores it too)`);
      }
    }
    for (const [group, g] of groups.byGroup) {
      warnings.push(`${g.file}:${g.line}: [group:${group}] (${g.programs.join(', ')}): the emperor has no groups; noted in each file; act on several vassals by name`);
    }
    const vassals = orderByPriority(processes);
    refuseDuplicates(processes);
    for (const v of vassals) for (const u of v.unmapped) warnings.push(`${v.name}: not mapped: ${u}`);
    return { vassals, warnings };
  });
}

function splitSection(name: string): [string, string | undefined] {
  const at = name.indexOf(':');
  return at === -1 ? [name, undefined] : [name.slice(0, at), name.slice(at + 1)];
}

interface Groups {
  get(program: string): { name: string; section: IniSection } | undefined;
  readonly byGroup: Map<string, { file: string; line: number; programs: string[] }>;
}

// [group:x] programs = a,b: which group each program belongs to (its `group_name` expansion)
function groupsOf(config: SupervisordConfig): Groups {
  const byProgram = new Map<string, { name: string; section: IniSection }>();
  const byGroup = new Map<string, { file: string; line: number; programs: string[] }>();
  for (const section of config.sections.values()) {
    const [kind, name] = splitSection(section.name);
    if (kind !== 'group' || !name) continue;
    const programs = (config.get(section, 'programs')?.value ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    byGroup.set(name, { file: section.file, line: section.line, programs });
    for (const p of programs) byProgram.set(p, { name, section });
  }
  return { get: (p) => byProgram.get(p), byGroup };
}

// [supervisord] environment: supervisord's own environment, so every child's, and more %(ENV_X)s
function supervisordEnvironment(config: SupervisordConfig, env: NodeJS.ProcessEnv): Record<string, string> {
  const section = config.sections.get('supervisord');
  const raw = section ? config.get(section, 'environment') : undefined;
  if (!raw) return {};
  const expanded = percentFormat(raw.value, { here: path.dirname(raw.file), host_node_name: hostname(), ...envExpansions(env) });
  if (!expanded.ok) throw new ImportInputError({ file: raw.file, line: raw.line, message: `[supervisord] environment: ${expanded.message}` });
  const parsed = parseEnvironment(expanded.text);
  if (!parsed.ok) throw new ImportInputError({ file: raw.file, line: raw.line, message: `[supervisord] environment: ${parsed.message}` });
  return parsed.env;
}

function programProcesses(
  config: SupervisordConfig,
  section: IniSection,
  program: string,
  group: { name: string; section: IniSection } | undefined,
  globalEnv: Record<string, string>,
  env: NodeJS.ProcessEnv,
): ProgramProcess[] {
  const value = (key: string) => config.get(section, key);
  const fail = (key: string, message: string): never => {
    const at = value(key);
    throw new ImportInputError({ file: at?.file ?? section.file, line: at?.line ?? section.line, message: `[${section.name}] ${key}: ${message}` });
  };
  const integer = (key: string, fallback: number): number => {
    const v = value(key);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v.value.trim())) fail(key, `expected a whole number, got ${JSON.stringify(v.value)}`);
    return Number(v.value.trim());
  };
  const numprocs = integer('numprocs', 1);
  const start = integer('numprocs_start', 0);
  if (numprocs < 1) fail('numprocs', `expected at least 1, got ${numprocs}`);
  const processName = value('process_name')?.value ?? '%(program_name)s';
  if (numprocs > 1 && !processName.includes('%(process_num)')) fail('process_name', `must contain %(process_num)s when numprocs > 1 (supervisord refuses it too), got ${JSON.stringify(processName)}`);
  const priority = integer('priority', 999);
  const processes: ProgramProcess[] = [];
  for (let num = start; num < start + numprocs; num++) {
    const base: Record<string, string | number> = {
      program_name: program,
      group_name: group?.name ?? program,
      host_node_name: hostname(),
      process_num: num,
      numprocs,
      ...envExpansions({ ...env, ...globalEnv }),
    };
    // Every key's own file is its %(here)s (supervisord replaces %(here)s file by file as it includes them).
    const expand = (key: string, text: string, extra: Expansions = {}): string => {
      const at = value(key);
      const result = percentFormat(text, { ...base, here: path.dirname(at?.file ?? section.file), ...extra });
      return result.ok ? result.text : fail(key, result.message);
    };
    const name = expand('process_name', processName);
    if (!/^[^/\0.][^/\0]*$/.test(name)) fail('process_name', `expected a name usable as a file name, got ${JSON.stringify(name)}`);
    const ownEnvText = value('environment');
    const ownEnv = ownEnvText ? parseEnvironment(expand('environment', ownEnvText.value)) : { ok: true as const, env: {} };
    if (!ownEnv.ok) fail('environment', ownEnv.message);
    const processEnv = ownEnv.ok ? ownEnv.env : {};
    // After its own environment is read, a program's other keys may name its variables as %(ENV_X)s.
    const withOwnEnv = envExpansions(processEnv);
    const mapped = mapProgramKeys({
      read: (key) => {
        const v = value(key);
        return v === undefined ? undefined : expand(key, v.value, withOwnEnv);
      },
      fail,
      env: { ...globalEnv, ...processEnv },
      configDir: path.dirname(section.file),
    });
    const unmapped: string[] = [...mapped.unmapped];
    for (const [key, v] of config.items(section)) {
      if (mapped.consumed.has(key)) continue;
      const reason = UNMAPPED_REASONS[key] ?? (PROGRAM_KEYS.has(key) ? 'no equivalent' : 'not a supervisord key (supervisord ignores it too)');
      unmapped.push(`${key} = ${v.value} (${path.basename(v.file)}:${v.line}): ${reason}`);
    }
    const notes: string[] = [];
    if (group) notes.push(`supervisord group ${group.name} ([group:${group.name}] in ${path.basename(group.section.file)}:${group.section.line}); the emperor has no groups`);
    if (numprocs > 1) notes.push(`process ${num - start + 1} of ${numprocs} (numprocs = ${numprocs}, process_num = ${num})`);
    notes.push(...mapped.notes);
    const enabled = mapped.autostart;
    processes.push({
      section,
      priority,
      enabled,
      vassal: {
        name,
        ...(enabled ? {} : { subdir: 'disabled' as const }),
        origin: `${section.file} [${section.name}]${numprocs > 1 ? `, process_num ${num}` : ''}`,
        emperor: mapped.emperor,
        notes,
        approximate: mapped.approximate,
        unmapped,
      },
    });
  }
  return processes;
}

// Two processes with one name would be one vassal file; supervisord refuses that too
function refuseDuplicates(processes: readonly ProgramProcess[]): void {
  const seen = new Map<string, ProgramProcess>();
  for (const p of processes) {
    const before = seen.get(p.vassal.name);
    if (before !== undefined) {
      throw new ImportInputError({ file: p.section.file, line: p.section.line, message: `two processes are named ${p.vassal.name} (${before.vassal.origin} and ${p.vassal.origin}); supervisord refuses duplicate names too` });
    }
    seen.set(p.vassal.name, p);
  }
}
