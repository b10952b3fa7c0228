// The emperor's metrics: its own Prometheus registry (fleet gauges read from the port at scrape
// time, and the default process metrics), and the per-vassal families (vassal-series.ts).
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { VASSAL_STATE_NAMES, type GroupUsage, type VassalStatus } from '../core/status.js';
import type { SupervisorPort } from './supervisor-port.js';
import { addVassalProcessSeries } from './vassal-process-metrics.js';
import { renderVassalFamilies, VassalEventCounts } from './vassal-series.js';

/** What GET /metrics serves. */
export interface MetricsText {
  readonly contentType: string;
  /** The text exposition, with each vassal's CPU and memory from `usage` (read from /proc by the caller). */
  text(usage: ReadonlyMap<string, GroupUsage | null>): Promise<string>;
}

interface EmperorMetrics extends MetricsText {
  /** Stops counting events. */
  dispose(): void;
}

const EVENT_LOOP_SAMPLE_MS = 1000;

// Builds the registry for one control server.
export function createEmperorMetrics(port: SupervisorPort): EmperorMetrics {
  const registry = new Registry();
  // The gauges and the per-vassal families read the statuses: one list per scrape instead of one
  // per family (each builds and sorts a status for every vassal: at 10,000 vassals that was the
  // scrape's cost).
  const list = oncePerTurn(() => port.list());
  // prom-client samples event-loop delay with a libuv timer at this resolution; its default
  // (10 ms) woke an idle emperor 100 times a second and cost ~1 % of a core. Once a second
  // still shows a blocked loop in the histogram's max and percentiles.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  registerFleetGauges(registry, port, list);
  const counts = new VassalEventCounts();
  const unsubscribe = port.subscribe((event) => counts.count(event.type, event.vassal));
  return {
    contentType: registry.contentType,
    // The process series go into prom-client's short text, before the per-vassal families are
    // added: looking for their place in the whole exposition cost a fifth of a scrape at 2000 vassals.
    text: async (usage) => {
      const families = renderVassalFamilies(list(), counts, port.droppedLogLines());
      return `${addVassalProcessSeries(await registry.metrics(), usage)}${families}`;
    },
    dispose: unsubscribe,
  };
}

// The value read once until the event loop turns: within one scrape, the same statuses.
function oncePerTurn<T>(read: () => T): () => T {
  let cached: { value: T } | null = null;
  return () => {
    if (cached === null) {
      cached = { value: read() };
      setImmediate(() => (cached = null));
    }
    return cached.value;
  };
}

function registerFleetGauges(registry: Registry, port: SupervisorPort, list: () => VassalStatus[]): void {
  new Gauge({
    name: 'emperor_vassals', help: 'Vassals per state', labelNames: ['state'], registers: [registry],
    collect() {
      const counts = new Map<string, number>(VASSAL_STATE_NAMES.map((s) => [s, 0]));
      for (const v of list()) counts.set(v.state, (counts.get(v.state) ?? 0) + 1);
      this.reset();
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'emperor_fleet_connected', help: '1 while the emperor reaches etcd (fleet: connected), 0 when disconnected; absent without --fleet', labelNames: ['node'], registers: [registry],
    collect() {
      this.reset();
      const fleet = port.info().fleet;
      if (fleet) this.set({ node: fleet.node }, fleet.connected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'emperor_vassal_source_connected', help: '1 while an etcd source of vassals (--vassals etcd://…) is followed, 0 while etcd cannot be reached (its vassals keep running)', labelNames: ['source'], registers: [registry],
    collect() {
      this.reset();
      for (const s of port.info().sources) this.set({ source: s.url }, s.connected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'emperor_host_problem', help: 'A problem of the emperor\'s surroundings (vassals directory missing, run dir not writable), 1 while it lasts',
    labelNames: ['problem'], registers: [registry],
    collect() {
      this.reset();
      for (const problem of port.info().problems) this.set({ problem }, 1);
    },
  });
}

