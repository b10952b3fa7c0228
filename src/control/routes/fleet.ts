// GET /fleet -> {self: FleetInfo, nodes: FleetNode[]}: every emperor of the fleet, read from etcd.
// CLI: `emperor status --fleet`
import type { Route } from '../route.js';
import { sendJson } from '../respond.js';

export const fleet: Route = {
  method: 'GET',
  path: '/fleet',
  async handle({ res, port }) {
    const nodes = await port.fleetNodes();
    sendJson(res, 200, { self: port.info().fleet, nodes });
  },
};
