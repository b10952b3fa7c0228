// GET /metrics -> Prometheus text exposition format. CLI: `emperor metrics`.
import type { Route } from '../route.js';

export const metrics: Route = {
  method: 'GET',
  path: '/metrics',
  async handle({ res, metrics, port }) {
    const text = await metrics.text(await port.usage({ cpuPercent: false }));
    res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  },
};
