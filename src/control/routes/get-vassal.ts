// GET /vassals/:name -> VassalStatus, 404 EMP_ERR_UNKNOWN_VASSAL for an unknown name.
// CLI: `emperor status NAME [--json]`
import type { Route } from '../route.js';
import { sendJson } from '../respond.js';
import { requireVassal } from './require-vassal.js';

export const getVassal: Route = {
  method: 'GET',
  path: '/vassals/:name',
  handle({ res, port, params }) {
    sendJson(res, 200, requireVassal(port, params['name'] ?? ''));
  },
};
