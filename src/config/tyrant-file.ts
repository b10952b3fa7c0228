// Tyrant mode (`--tyrant`, uWSGI's --emperor-tyrant): a vassal runs as the owner of its file, so
// the file must be one that only that owner could have written. These are the checks, as
// `file: problem` messages; the owner comes from the open file the text was read from.
import { lstat, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AccountDirectory } from './account-directory.js';
import type { FileOwnership } from './read-vassal-text.js';
import type { ConfigProblem } from './spec.js';

const WRITABLE_BY_GROUP_OR_OTHERS = 0o022;
const WRITABLE_BY_OTHERS = 0o002;
const STICKY = 0o1000;

// Everything that makes tyrant mode refuse a vassal file that was read with this owner
export async function tyrantProblems(file: string, owner: FileOwnership, allowRoot: boolean, accounts: AccountDirectory): Promise<ConfigProblem[]> {
  const problems: string[] = [];
  const who = describeUser(accounts);
  if (owner.uid === 0 && !allowRoot) {
    problems.push("owned by root: tyrant mode runs each vassal as the owner of its file and refuses root's files (start the emperor with --tyrant-allow-root to run them as root)");
  }
  problems.push(...(await writeProblems(file, owner, who)));
  const dir = path.dirname(file);
  const dirMode = await modeOf(dir);
  if (dirMode !== undefined && (dirMode & WRITABLE_BY_OTHERS) !== 0 && (dirMode & STICKY) === 0) {
    problems.push(`the vassals directory ${dir} is writable by others without the sticky bit (mode ${octal(dirMode)}): anyone could replace this file; chmod o-w or chmod +t ${dir}`);
  }
  return problems.map((message) => ({ file, key: '', message }));
}

// A stand-in file runs as the vassal's owner: only that owner (or root) may own and write it
export async function tyrantStandinProblems(standinFile: string, vassalOwnerUid: number, accounts: AccountDirectory): Promise<ConfigProblem[]> {
  const problems: string[] = [];
  const who = describeUser(accounts);
  let target;
  try {
    target = await stat(standinFile);
  } catch {
    return []; // a missing stand-in file is reported by the loader
  }
  const owner = { uid: target.uid, gid: target.gid, mode: target.mode & 0o7777 };
  if (owner.uid !== vassalOwnerUid && owner.uid !== 0) {
    problems.push(`owned by ${who(owner.uid)}, but it is the stand-in of a vassal of ${who(vassalOwnerUid)}: in tyrant mode a stand-in file belongs to the vassal's owner (or root)`);
  }
  problems.push(...(await writeProblems(standinFile, owner, who)));
  return problems.map((message) => ({ file: standinFile, key: '', message }));
}

// Who could have written the text: group or others with write access, or a link to another user's file
async function writeProblems(file: string, owner: FileOwnership, who: (uid: number) => string): Promise<string[]> {
  const problems: string[] = [];
  if ((owner.mode & WRITABLE_BY_GROUP_OR_OTHERS) !== 0) {
    problems.push(`writable by its group or others (mode ${octal(owner.mode)}): in tyrant mode only the owner may write a vassal file; chmod go-w ${file}`);
  }
  // For a plain file this is the same inode; a difference means a symlink to another user's
  // file (or a file swapped while it was read).
  let link;
  try {
    link = await lstat(file);
  } catch {
    return [...problems, 'the file changed while it was read'];
  }
  if (link.uid !== owner.uid) {
    problems.push(
      link.isSymbolicLink()
        ? `a symlink owned by ${who(link.uid)} to a file owned by ${who(owner.uid)}: in tyrant mode a link must belong to the owner of its target (chown -h)`
        : `the file changed owner while it was read (${who(owner.uid)}, then ${who(link.uid)}); it is read again at its next change`,
    );
  }
  return problems;
}

function describeUser(accounts: AccountDirectory): (uid: number) => string {
  return (uid) => {
    const name = accounts.user(uid)?.name;
    return name === undefined ? `uid ${uid}` : `${name} (uid ${uid})`;
  };
}

async function modeOf(p: string): Promise<number | undefined> {
  try {
    return (await stat(p)).mode & 0o7777;
  } catch {
    return undefined;
  }
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
