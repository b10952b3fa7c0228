// A PM2 ecosystem file's apps: JSON and YAML are parsed; a .js/.cjs file is run as CommonJS
// and a .mjs file imported, as PM2 itself does (an ecosystem file is a program, often reading
// process.env). Problems name file:line.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { ImportInputError } from '../imported-vassal.js';
import { parseYamlInput, readInput } from '../read-input.js';

export async function loadEcosystem(file: string): Promise<unknown> {
  const text = await readInput(file);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return parseJson(text, file);
  if (ext === '.yml' || ext === '.yaml') return parseYamlInput(text, file);
  if (ext === '.mjs') {
    try {
      const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
      return mod.default;
    } catch (error) {
      throw new ImportInputError({ file, line: lineInStack(error, file), message: `running it failed: ${(error as Error).message}` });
    }
  }
  if (ext === '.js' || ext === '.cjs') return runCommonJs(text, file);
  throw new ImportInputError({ file, line: 0, message: 'expected an ecosystem file ending in .js, .cjs, .mjs, .json, .yml or .yaml' });
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message);
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : 0;
    throw new ImportInputError({ file, line, message: `not valid JSON: ${(error as Error).message}` });
  }
}

// module.exports of a CommonJS file, with the require(), __dirname and process it would get from node
function runCommonJs(text: string, file: string): unknown {
  const module = { exports: {} as unknown };
  let run: (...args: unknown[]) => unknown;
  try {
    run = vm.compileFunction(text, ['module', 'exports', 'require', '__filename', '__dirname'], { filename: file }) as (...args: unknown[]) => unknown;
  } catch (error) {
    throw new ImportInputError({ file, line: lineInStack(error, file), message: `not valid JavaScript: ${(error as Error).message}` });
  }
  try {
    run(module, module.exports, createRequire(file), file, path.dirname(file));
  } catch (error) {
    throw new ImportInputError({ file, line: lineInStack(error, file), message: `running it failed: ${(error as Error).message}` });
  }
  return module.exports;
}

function lineInStack(error: unknown, file: string): number {
  // Errors thrown by the file may come from another realm (another Error), so no instanceof here.
  const stack = typeof error === 'object' && error !== null && typeof (error as { stack?: unknown }).stack === 'string' ? (error as { stack: string }).stack : '';
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+)`).exec(stack);
  return m ? Number(m[1]) : 0;
}
