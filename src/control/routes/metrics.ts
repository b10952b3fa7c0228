// GET /metrics -> Prometheus text exposition format. CLI: `emperor metrics`.
import type { Route } from '../route.js';

export const metrics: Route = {
  method: 'GET',
  path: '/metrics',
  async handle({ res, registry }) {
    const text = await registry.metrics();
    res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  },
};
