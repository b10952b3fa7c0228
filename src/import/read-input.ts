// Reading an input file and parsing YAML in it, with problems as `file:line`.
import { readFile } from 'node:fs/promises';
import { load } from 'js-yaml';
import { ImportInputError } from './imported-vassal.js';

export async function readInput(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ImportInputError({ file, line: 0, message: code === 'ENOENT' ? 'no such file' : `cannot read it: ${(error as Error).message}` });
  }
}

// YAML -> value; repeated keys keep the last, as in vassal files
export function parseYamlInput(text: string, file: string): unknown {
  try {
    return load(text, { json: true });
  } catch (error) {
    const { reason, mark } = error as { reason?: string; mark?: { line?: number } };
    throw new ImportInputError({ file, line: (mark?.line ?? -1) + 1, message: `not valid YAML: ${reason ?? String(error)}` });
  }
}
