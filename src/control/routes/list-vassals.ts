// GET /vassals[?usage=1] -> {vassals: VassalStatus[]}
// CLI: `emperor status [--json] [--wide]`, `emperor top`
import type { Route } from '../route.js';
import { sendJson } from '../respond.js';
import { withUsage } from './with-usage.js';

export const listVassals: Route = {
  method: 'GET',
  path: '/vassals',
  async handle({ res, port, query }) {
    sendJson(res, 200, { vassals: await withUsage(port, query, port.list()) });
  },
};
