// GET /events[?vassal=NAME] -> NDJSON stream of LifecycleEvent, one per line, as they happen
// (Server-Sent Events when the client accepts text/event-stream: the dashboard's EventSource).
// The stream never ends on its own; the client closes it. CLI: `emperor events`, restart-dance.
import type { Route } from '../route.js';
import { startNdjson } from '../ndjson-stream.js';
import { requireVassal } from './require-vassal.js';

export const events: Route = {
  method: 'GET',
  path: '/events',
  handle(ctx) {
    const vassal = ctx.query.get('vassal');
    if (vassal !== null) requireVassal(ctx.port, vassal);
    const stream = startNdjson(ctx, { sse: (ctx.req.headers.accept ?? '').includes('text/event-stream') });
    const unsubscribe = ctx.port.subscribe((event) => {
      if (vassal === null || event.vassal === vassal) stream.write(event);
    });
    stream.onEnd(unsubscribe);
  },
};
