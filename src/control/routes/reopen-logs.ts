// POST /reopen-logs -> {files, emperorLog}: reopens every vassal's log file and the emperor's
// own --log-file at their paths (logrotate's postrotate). CLI: `emperor reopen-logs`. SIGUSR1 does the same.
import type { Route } from '../route.js';
import { sendJson } from '../respond.js';

export const reopenLogs: Route = {
  method: 'POST',
  path: '/reopen-logs',
  handle({ res, port }) {
    sendJson(res, 200, port.reopenLogs());
  },
};
