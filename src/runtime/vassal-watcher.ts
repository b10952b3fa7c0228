// Watches the vassals directory (inotify through chokidar, no polling) and reports vassal files
// appearing, changing (content or mtime) and disappearing. Subdirectories and non-vassal names are ignored.
import { basename, dirname, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { isVassalFileName } from '../config/vassal-file-name.js';

export type FileEvent = { readonly kind: 'add' | 'change' | 'unlink'; readonly file: string };

export interface VassalWatcher {
  /** Resolves once the initial scan has reported every existing file. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

// Starts watching `dir`; `onEvent` receives absolute paths.
export function watchVassals(dir: string, onEvent: (e: FileEvent) => void, onError: (err: Error) => void): VassalWatcher {
  const root = resolve(dir);
  const watcher: FSWatcher = watch(root, {
    depth: 0,
    ignoreInitial: false,
    followSymlinks: true,
    // Atomic saves (write a temp file, rename over the vassal) arrive as one change.
    atomic: true,
    ignored: (path: string, stats?: { isDirectory(): boolean }) => {
      if (path === root) return false;
      if (dirname(path) !== root) return true;
      if (stats?.isDirectory()) return true;
      return !isVassalFileName(basename(path));
    },
  });
  const ready = new Promise<void>((res) => watcher.once('ready', () => res()));
  watcher.on('add', (file: string) => onEvent({ kind: 'add', file }));
  watcher.on('change', (file: string) => onEvent({ kind: 'change', file }));
  watcher.on('unlink', (file: string) => onEvent({ kind: 'unlink', file }));
  watcher.on('error', (err: unknown) => onError(err instanceof Error ? err : new Error(String(err))));
  return { ready, close: () => watcher.close() };
}
