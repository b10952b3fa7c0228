// Watches the files of one directory (inotify through chokidar, no polling) and reports vassal
// files appearing, changing (content or mtime) and disappearing. Subdirectories and non-vassal
// names are ignored. It watches the directory's real path, but names files by the path the
// emperor was given (`dir/NAME`): a symlinked directory swapped to another release keeps its
// vassals' names and files.
import { lstatSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { isVassalFileName } from '../config/vassal-file-name.js';

export type FileEvent = { readonly kind: 'add' | 'change' | 'unlink'; readonly file: string };

export interface VassalWatcher {
  /** Resolves once the watch is in place (no initial events: the caller rescans). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

// Starts watching `real` (the real path of `dir`); `onEvent` receives paths under `dir`.
export function watchVassals(dir: string, real: string, onEvent: (e: FileEvent) => void, onError: (err: Error) => void): VassalWatcher {
  const watcher: FSWatcher = watch(real, {
    depth: 0,
    ignoreInitial: true,
    followSymlinks: true,
    // Atomic saves (write a temp file, rename over the vassal) arrive as one change.
    atomic: true,
    ignored: (path: string, stats?: { isDirectory(): boolean }) => {
      if (path === real) return false;
      if (dirname(path) !== real) return true;
      if (stats?.isDirectory()) return true;
      return !isVassalFileName(basename(path));
    },
  });
  const named = (path: string): string => join(dir, basename(path));
  const ready = new Promise<void>((res) => watcher.once('ready', () => res()));
  watcher.on('add', (file: string) => onEvent({ kind: 'add', file: named(file) }));
  watcher.on('change', (file: string) => onEvent({ kind: 'change', file: named(file) }));
  watcher.on('unlink', (file: string) => onEvent({ kind: 'unlink', file: named(file) }));
  // chokidar compares mtimes and skips symlinks that lead nowhere: `mv a.yml b.yml` (b keeps a's
  // older mtime) could pass as no change of b, and a dangling link as nothing at all. The raw
  // rename that inotify reports for the name is looked at too; the tracker ignores what changed nothing.
  watcher.on('raw', (event: string, name: string, details: unknown) => {
    if (event !== 'rename' || typeof name !== 'string' || (details as { watchedPath?: string } | undefined)?.watchedPath !== real) return;
    if (name.includes('/') || !isVassalFileName(name)) return;
    const file = join(dir, name);
    onEvent({ kind: exists(file) ? 'add' : 'unlink', file });
  });
  watcher.on('error', (err: unknown) => onError(err instanceof Error ? err : new Error(String(err))));
  return { ready, close: () => watcher.close() };
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
