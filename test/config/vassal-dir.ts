// Test helper: a real temporary vassal directory, and loaders that return just what a test asserts on.
import { afterEach, beforeEach } from '@jest/globals';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadVassalFile } from '../../src/config/load-vassal-file.js';
import { formatProblem } from '../../src/config/spec.js';
import type { VassalSpec } from '../../src/core/spec.js';
import type { ConfigProblem, LoadOptions } from '../../src/config/spec.js';

export const OPTS: LoadOptions = { vassalWrapper: '/bin/true' };

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/vassals');

interface VassalDir {
  readonly dir: string;
  /** Write a file (parent directories created) and return its absolute path. */
  write(name: string, content: string | Buffer): Promise<string>;
  cleanup(): Promise<void>;
}

// Create an empty temporary directory for vassal files
async function makeVassalDir(): Promise<VassalDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'emperor-config-'));
  return {
    dir,
    async write(name, content) {
      const file = path.join(dir, name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
      return file;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

// A fresh temporary vassal directory for each test of the calling file: made in beforeEach,
// removed in afterEach. The returned handle always means the current test's directory.
export function useVassalDir(): VassalDir {
  let current: VassalDir | undefined;
  beforeEach(async () => {
    current = await makeVassalDir();
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  const now = (): VassalDir => {
    if (!current) throw new Error('useVassalDir: the directory exists only while a test runs');
    return current;
  };
  return {
    get dir() {
      return now().dir;
    },
    write: (name, content) => now().write(name, content),
    cleanup: () => now().cleanup(),
  };
}

// Load a file that must be valid; a failure shows every problem in the test output
export async function loadSpec(file: string): Promise<VassalSpec> {
  const result = await loadVassalFile(file, OPTS);
  if (!result.ok) throw new Error(`expected ${file} to load, got:\n${result.errors.map(formatProblem).join('\n')}`);
  return result.spec;
}

// Load a file that must be invalid and return its problems
export async function loadProblems(file: string): Promise<{ errors: readonly ConfigProblem[]; warnings: readonly string[] }> {
  const result = await loadVassalFile(file, OPTS);
  if (result.ok) throw new Error(`expected ${file} to be rejected, but it loaded`);
  return { errors: result.errors, warnings: result.warnings };
}
