// GET /emperor -> {pid, startedAt, vassalsDir, sources, version, problems, fleet}
import type { Route } from '../route.js';
import { sendJson } from '../respond.js';

export const emperorInfo: Route = {
  method: 'GET',
  path: '/emperor',
  handle({ res, port }) {
    sendJson(res, 200, port.info());
  },
};
