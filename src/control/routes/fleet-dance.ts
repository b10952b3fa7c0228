// POST /fleet/dance/:name -> NDJSON stream of FleetRollEvent: a rolling dance of NAME across the
// nodes of the fleet that run it, one node at a time, each node's steps as it reports them,
// ending with `done`. Refusals (not in a fleet, etcd unreachable, no node runs NAME) are an
// {error} answer before the stream starts. The roll runs to its end even when the client
// goes away: a dance is never left half-done by a closed terminal. CLI: `emperor restart-dance
// --fleet NAME`.
import type { Route } from '../route.js';
import { startNdjson } from '../ndjson-stream.js';

export const fleetDance: Route = {
  method: 'POST',
  path: '/fleet/dance/:name',
  async handle(ctx) {
    const roll = await ctx.port.fleetRoll(ctx.params['name'] ?? '');
    const stream = startNdjson(ctx);
    await roll((event) => stream.write(event));
    stream.end();
  },
};
