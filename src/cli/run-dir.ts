// Where the emperor keeps its control socket and state; shared by the daemon and every command.
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

interface RunDirSources {
  readonly flag?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  readonly uid?: number;
  readonly tmp?: string;
}

// --run-dir, else $EMPEROR_RUN_DIR, else /run/emperor for root, else $XDG_RUNTIME_DIR/emperor, else <tmp>/emperor-<uid>.
export function resolveRunDir(sources: RunDirSources = {}): string {
  const env = sources.env ?? process.env;
  const uid = sources.uid ?? process.getuid?.() ?? 0;
  if (sources.flag) return resolve(sources.flag);
  if (env['EMPEROR_RUN_DIR']) return resolve(env['EMPEROR_RUN_DIR']);
  if (uid === 0) return '/run/emperor';
  if (env['XDG_RUNTIME_DIR']) return join(env['XDG_RUNTIME_DIR'], 'emperor');
  return join(sources.tmp ?? tmpdir(), `emperor-${uid}`);
}

// The control socket: --control, else <run-dir>/control.sock.
export function resolveControlPath(runDir: string, controlFlag?: string): string {
  return controlFlag ? resolve(controlFlag) : join(runDir, 'control.sock');
}
