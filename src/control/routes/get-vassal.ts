// GET /vassals/:name[?usage=1] -> VassalStatus, 404 EMP_ERR_UNKNOWN_VASSAL for an unknown name.
// CLI: `emperor status NAME [--json] [--wide]`
import type { Route } from '../route.js';
import { sendJson } from '../respond.js';
import { requireVassal } from './require-vassal.js';
import { withUsage } from './with-usage.js';

export const getVassal: Route = {
  method: 'GET',
  path: '/vassals/:name',
  async handle({ res, port, params, query }) {
    const [status] = await withUsage(port, query, [requireVassal(port, params['name'] ?? '')]);
    sendJson(res, 200, status);
  },
};
