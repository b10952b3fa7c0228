// GET /metrics -> Prometheus text exposition format. CLI: `emperor metrics`.
import type { Route } from '../route.js';
import { addVassalProcessSeries } from '../vassal-process-metrics.js';

export const metrics: Route = {
  method: 'GET',
  path: '/metrics',
  async handle({ res, registry, port }) {
    const text = addVassalProcessSeries(await registry.metrics(), await port.usage({ cpuPercent: false }));
    res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  },
};
