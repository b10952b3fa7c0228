// Which directory entries are vassal files, and what a vassal is called.
import path from 'node:path';

export type VassalFormat = 'yaml' | 'ini' | 'json';

const FORMAT_BY_EXTENSION: Readonly<Record<string, VassalFormat>> = {
  '.yml': 'yaml',
  '.yaml': 'yaml',
  '.ini': 'ini',
  '.json': 'json',
};

// Editors and tools leave these next to real files; they must never become vassals.
const SCRATCH_FILE = /^\.|~$|\.swp$|^#.*#$|\.tmp$/;

// Tell whether a directory entry should be loaded as a vassal (editor leftovers are not)
export function isVassalFileName(basename: string): boolean {
  if (SCRATCH_FILE.test(basename)) return false;
  return vassalFormatOf(basename) !== undefined && vassalNameOf(basename) !== '';
}

// The vassal's name in logs, status and the API: the file name without its extension
export function vassalNameOf(file: string): string {
  return path.basename(file, path.extname(file));
}

// The parser a file needs, from its (lower-case) extension; undefined for anything else
export function vassalFormatOf(file: string): VassalFormat | undefined {
  return FORMAT_BY_EXTENSION[path.extname(file)];
}

// A vassal read from an etcd key is named by its URL, etcd://HOSTS/PREFIX/KEY (see
// runtime/etcd-vassals): its errors read `etcd://…/web.yml: key: problem` like a file's.
export function isEtcdVassal(file: string): boolean {
  return file.startsWith('etcd://');
}

// What relative paths in a vassal (cwd, sockets, logto, a stand-in file) are relative to: the
// file's directory, or / for a vassal from etcd, which has no directory.
export function vassalBaseDir(file: string): string {
  return isEtcdVassal(file) ? '/' : path.dirname(file);
}
