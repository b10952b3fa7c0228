// GET /vassals -> {vassals: VassalStatus[]}
// CLI: `emperor status [--json]`
import type { Route } from '../route.js';
import { sendJson } from '../respond.js';

export const listVassals: Route = {
  method: 'GET',
  path: '/vassals',
  handle({ res, port }) {
    sendJson(res, 200, { vassals: port.list() });
  },
};
