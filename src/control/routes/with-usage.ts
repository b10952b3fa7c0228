// `?usage=1` on GET /vassals and GET /vassals/:name: each status gets its process groups' CPU
// and memory (read from /proc at request time, so only when asked for).
import type { VassalStatus } from '../../core/status.js';
import type { SupervisorPort } from '../supervisor-port.js';
import { parseBooleanParam } from './query-params.js';

export async function withUsage(port: SupervisorPort, query: URLSearchParams, statuses: VassalStatus[]): Promise<VassalStatus[]> {
  if (parseBooleanParam(query, 'usage') !== true) return statuses;
  const usage = await port.usage();
  return statuses.map((s) => ({ ...s, usage: usage.get(s.name) ?? null }));
}
