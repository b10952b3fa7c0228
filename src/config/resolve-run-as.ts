// Who a vassal runs as: `user` and `group` (or, in tyrant mode, the owner of its file) looked up
// in the password and group databases, and the rules that keep a vassal file from naming anyone
// it may not: only root switches users, and a tyrant vassal is its file's owner and no one else.
import type { AccountDirectory } from './account-directory.js';
import type { Report } from './report.js';
import type { RunAs, SocketSpec } from '../core/spec.js';
import type { UserAccount } from '../lib/accounts.js';
import type { AccountKey, WrittenSocket } from './written-vassal.js';

export interface RunAsContext {
  readonly accounts: AccountDirectory;
  /** The uid the emperor runs as: only root may run vassals as other users. */
  readonly emperorUid: number;
  /** Tyrant mode: the uid and gid of the vassal file, who the vassal runs as. */
  readonly tyrant?: { readonly uid: number; readonly gid: number } | undefined;
}

interface WrittenAccount {
  readonly user?: AccountKey | undefined;
  readonly group?: AccountKey | undefined;
}

/** Ports below this need root to bind (the emperor binds them; in tyrant mode only for root's vassals). */
const FIRST_UNPRIVILEGED_PORT = 1024;

// The user and group the vassal's instances run as; undefined keeps the emperor's own (no key, no tyrant)
export function resolveRunAs(written: WrittenAccount, ctx: RunAsContext, report: Report): RunAs | undefined {
  if (ctx.tyrant !== undefined) return tyrantRunAs(written, ctx, ctx.tyrant, report);
  if (written.user === undefined && written.group === undefined) return undefined;
  const user = written.user === undefined ? ctx.accounts.user(ctx.emperorUid) : findUser(written.user, 'emperor.user', ctx, report);
  const group = written.group === undefined ? undefined : findGroup(written.group, 'emperor.group', ctx, report);
  if (user === undefined) {
    if (written.user === undefined) report.error('emperor.group', `the emperor's own uid ${ctx.emperorUid} has no entry in the password database, so no group can be set for it`);
    return undefined;
  }
  if (written.group !== undefined && group === undefined) return undefined;
  if (ctx.emperorUid !== 0) {
    const self = ctx.accounts.user(ctx.emperorUid);
    const me = self ? `${self.name} (uid ${self.uid})` : `uid ${ctx.emperorUid}`;
    if (user.uid !== ctx.emperorUid) {
      report.error('emperor.user', `only root can run a vassal as another user: this emperor runs as ${me}, got '${String(written.user)}'; remove \`user\` or run the emperor as root`);
      return undefined;
    }
    if (group !== undefined && group.gid !== user.gid) {
      report.error('emperor.group', `only root can run a vassal with another group: this emperor runs as ${me}, whose group has gid ${user.gid}, got '${String(written.group)}'`);
      return undefined;
    }
  }
  return runAs(user, group?.gid ?? user.gid);
}

// Tyrant mode: the file's owner and group; `user`/`group` may only repeat them (no escalation through the file)
function tyrantRunAs(written: WrittenAccount, ctx: RunAsContext, owner: { uid: number; gid: number }, report: Report): RunAs | undefined {
  const user = ctx.accounts.user(owner.uid);
  if (user === undefined) {
    report.error('', `owned by uid ${owner.uid}, which has no entry in the password database: tyrant mode runs a vassal as its file's owner`);
    return undefined;
  }
  let ok = true;
  if (written.user !== undefined) {
    const named = findUser(written.user, 'emperor.user', ctx, report);
    if (named !== undefined && named.uid !== owner.uid) {
      report.error('emperor.user', `tyrant mode runs this vassal as ${user.name} (uid ${user.uid}), the owner of its file; got '${String(written.user)}': a vassal file cannot name another user`);
    }
    ok &&= named?.uid === owner.uid;
  }
  if (written.group !== undefined) {
    const named = findGroup(written.group, 'emperor.group', ctx, report);
    if (named !== undefined && named.gid !== owner.gid) {
      const fileGroup = ctx.accounts.group(owner.gid)?.name ?? String(owner.gid);
      report.error('emperor.group', `tyrant mode runs this vassal with the group of its file, ${fileGroup} (gid ${owner.gid}); got '${String(written.group)}': change the file's group instead`);
    }
    ok &&= named?.gid === owner.gid;
  }
  return ok ? runAs(user, owner.gid) : undefined;
}

// The held sockets with their file owner and group resolved; unix sockets default to the vassal's user and group
export function resolveSockets(written: readonly WrittenSocket[], runAs: RunAs | undefined, ctx: RunAsContext, report: Report): SocketSpec[] {
  const tyrantUser = ctx.tyrant !== undefined && runAs !== undefined && runAs.uid !== 0 ? runAs : undefined;
  return written.map((socket): SocketSpec => {
    const key = `emperor.sockets.${socket.name}`;
    if (socket.kind === 'tcp') {
      if (tyrantUser && socket.port !== 0 && socket.port < FIRST_UNPRIVILEGED_PORT) {
        report.error(key, `tyrant mode keeps ports below ${FIRST_UNPRIVILEGED_PORT} for root's vassals; got port ${socket.port} for a vassal of ${tyrantUser.user}: use a port of 1024 or more (or a unix socket) behind a proxy`);
      }
      return socket;
    }
    const owner = socket.owner === undefined ? undefined : findUser(socket.owner, `${key}.owner`, ctx, report);
    const group = socket.group === undefined ? undefined : findGroup(socket.group, `${key}.group`, ctx, report);
    const uid = owner?.uid ?? runAs?.uid;
    const gid = group?.gid ?? runAs?.gid;
    if (owner !== undefined && ctx.emperorUid !== 0 && owner.uid !== ctx.emperorUid) {
      report.error(`${key}.owner`, `only root can give a socket to another user: this emperor runs as uid ${ctx.emperorUid}, got '${String(socket.owner)}'`);
    }
    if (tyrantUser !== undefined) checkTyrantSocketOwner(socket, uid, gid, tyrantUser, ctx, report);
    return { name: socket.name, kind: 'unix', path: socket.path, mode: socket.mode, owner: uid, group: gid };
  });
}

// In tyrant mode a vassal's socket belongs to its user and to one of that user's groups, as a chown by the user could do.
function checkTyrantSocketOwner(socket: Extract<WrittenSocket, { kind: 'unix' }>, uid: number | undefined, gid: number | undefined, user: RunAs, ctx: RunAsContext, report: Report): void {
  const key = `emperor.sockets.${socket.name}`;
  if (uid !== undefined && uid !== user.uid) {
    report.error(`${key}.owner`, `tyrant mode gives a vassal's sockets to its own user, ${user.user}; got '${String(socket.owner)}'`);
  }
  const account = ctx.accounts.user(user.uid);
  if (gid !== undefined && gid !== user.gid && account !== undefined && !ctx.accounts.groupsOf(account).includes(gid)) {
    report.error(`${key}.group`, `tyrant mode allows only a group that ${user.user} belongs to; got '${String(socket.group)}'`);
  }
}

// Tyrant mode: the emperor opens `logto` as root, so a vassal file of another user must not name one
export function checkTyrantLogto(logto: string | undefined, runAs: RunAs | undefined, ctx: RunAsContext, key: string, report: Report): void {
  if (logto === undefined || ctx.tyrant === undefined || runAs === undefined || runAs.uid === 0) return;
  report.error(key, `not available in tyrant mode: the emperor would write ${logto} as root for a vassal of ${runAs.user}; let the program write its own log file, or leave \`logto\` out to use the emperor's log`);
}

function findUser(key: AccountKey, reportKey: string, ctx: RunAsContext, report: Report): UserAccount | undefined {
  const user = ctx.accounts.user(key);
  if (user === undefined) report.error(reportKey, `no such user '${String(key)}'`);
  return user;
}

function findGroup(key: AccountKey, reportKey: string, ctx: RunAsContext, report: Report): { readonly gid: number } | undefined {
  const group = ctx.accounts.group(key);
  if (group === undefined) report.error(reportKey, `no such group '${String(key)}'`);
  return group;
}

function runAs(user: UserAccount, gid: number): RunAs {
  // An empty home or shell field means / and /bin/sh, as login(1) reads them.
  return { user: user.name, uid: user.uid, gid, home: user.home || '/', shell: user.shell || '/bin/sh' };
}
