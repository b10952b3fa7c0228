// Runs the BUILT CLI (`node bin/emperor.js ...`) asynchronously, so that a control server in
// the test process keeps answering while it runs. Rebuilds dist/ first when it is older than src/.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'emperor.js');

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// Runs `emperor ...args` with a clean colour environment unless `env` says otherwise.
export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}, timeout = 20_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const merged: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', EMPEROR_RUN_DIR: undefined, ...env };
    for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
    execFile(process.execPath, [BIN, ...args], { env: merged, timeout, cwd: ROOT }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      if (code === null) {
        reject(new Error(`emperor ${args.join(' ')} did not exit normally: ${err?.message}\nstderr: ${stderr}`));
        return;
      }
      resolve({ code, stdout, stderr });
    });
  });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

// Builds dist/ when it is missing or older than src/ (one build at a time across jest workers).
export function ensureBuilt(): void {
  const main = join(ROOT, 'dist', 'cli', 'main.js');
  const fresh = (): boolean => existsSync(main) && statSync(main).mtimeMs >= newestMtime(join(ROOT, 'src', 'cli')) && newestMtime(join(ROOT, 'dist')) >= newestMtime(join(ROOT, 'src'));
  if (fresh()) return;
  const lock = join(tmpdir(), 'emperor-cli-test-build.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`another build holds ${lock}; remove it if no build runs`);
      execFileSync('sleep', ['0.2']); // waiting for another worker's build, outside any test
    }
  }
  try {
    if (!fresh()) execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  } finally {
    rmdirSync(lock);
  }
}
