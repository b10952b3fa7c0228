// The emperor's descriptor budget, told to the operator: the soft limit raised at start, and a
// warning with the numbers when the vassals found would need more than the emperor may open
// (a spawn that hits the limit fails with EMFILE and is throttled like any failed start).
import type { Logger } from 'pino';
import type { Vassal } from '../core/vassal.js';
import { readFdLimit } from '../lib/open-file-limit.js';
import { fdShortfall, raiseFdLimit, vassalFds } from '../runtime/fd-limit.js';

// Raises RLIMIT_NOFILE's soft limit to the hard one and logs the limit the fleet has. Node
// itself raises it at start-up where it can, so this usually finds nothing to do.
export function raiseOwnFdLimit(log: Logger): void {
  const r = raiseFdLimit();
  if (r.raised) log.info({ before: r.before.soft, after: r.after.soft }, `open-file limit raised from ${r.before.soft} to ${r.after.soft} (the hard limit)`);
  else if (r.why) log.warn({ soft: r.limit.soft, hard: r.limit.hard }, `cannot raise the open-file limit from ${r.limit.soft} to ${r.limit.hard}: ${r.why}`);
  else log.info({ soft: r.limit.soft, hard: r.limit.hard }, `open-file limit ${r.limit.soft} (the hard limit)`);
}

// Warns when the vassals loaded so far would need more descriptors than the soft limit.
export function warnIfShortOfFds(vassals: readonly Vassal[], log: Logger): void {
  const fds = vassals.reduce((n, v) => n + vassalFds({ sockets: v.spec?.sockets.length ?? 0, logFile: v.spec?.process.log !== undefined, mergeStderr: v.spec?.process.mergeStderr === true }), 0);
  const limit = readFdLimit();
  const { needed, short } = fdShortfall(fds, limit);
  if (!short) return;
  log.warn(
    { vassals: vassals.length, needed, soft: limit.soft, hard: limit.hard },
    `${vassals.length} vassals need about ${needed} open files in the emperor, but it may open ${limit.soft} (hard limit ${limit.hard}): some will fail to start with EMFILE; raise LimitNOFILE= in the unit (or ulimit -Hn), or give the vassals \`merge-stderr: true\` (one pipe each instead of two)`,
  );
}
