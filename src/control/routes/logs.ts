// GET /vassals/:name/logs?n=100[&follow=1] -> NDJSON of OutputLine: the last n lines, then
// (with follow=1) every new line until the client closes. CLI: `emperor logs NAME [-f] [-n N]`.
import type { Route } from '../route.js';
import { startNdjson } from '../ndjson-stream.js';
import { parseBooleanParam, parseIntParam } from './query-params.js';
import { requireVassal } from './require-vassal.js';

const MAX_LOG_LINES = 100_000;

export const logs: Route = {
  method: 'GET',
  path: '/vassals/:name/logs',
  handle(ctx) {
    const name = ctx.params['name'] ?? '';
    const n = parseIntParam(ctx.query, 'n', 100, 0, MAX_LOG_LINES);
    const follow = parseBooleanParam(ctx.query, 'follow') ?? false;
    requireVassal(ctx.port, name);
    const lines = ctx.port.output(name, n) ?? [];
    const stream = startNdjson(ctx);
    for (const line of lines) stream.write(line);
    if (!follow) {
      stream.end();
      return;
    }
    stream.onEnd(ctx.port.followOutput(name, (line) => stream.write(line)));
  },
};
