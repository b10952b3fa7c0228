// The emperor's own Prometheus registry: fleet gauges read from the port at scrape time,
// spawn/exit counters fed by lifecycle events, and the default process metrics.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { VASSAL_STATE_NAMES, type VassalStatus } from '../core/status.js';
import type { SupervisorPort } from './supervisor-port.js';

interface EmperorMetrics {
  readonly registry: Registry;
  /** Stops counting events. */
  dispose(): void;
}

const EVENT_LOOP_SAMPLE_MS = 1000;

// Builds the registry for one control server.
export function createEmperorMetrics(port: SupervisorPort): EmperorMetrics {
  const registry = new Registry();
  // Every per-vassal family reads the statuses: one list per scrape instead of one per family
  // (each builds and sorts a status for every vassal: 10,000 vassals made that the scrape's cost).
  const list = oncePerTurn(() => port.list());
  // prom-client samples event-loop delay with a libuv timer at this resolution; its default
  // (10 ms) woke an idle emperor 100 times a second and cost ~1 % of a core. Once a second
  // still shows a blocked loop in the histogram's max and percentiles.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  registerFleetGauges(registry, port, list);
  const spawns = new Counter({ name: 'emperor_spawns_total', help: 'Instances spawned, per vassal', labelNames: ['vassal'], registers: [registry] });
  const exits = new Counter({ name: 'emperor_exits_total', help: 'Instances exited, per vassal', labelNames: ['vassal'], registers: [registry] });
  const unsubscribe = port.subscribe((event) => {
    if (event.type === 'spawned') spawns.inc({ vassal: event.vassal });
    else if (event.type === 'exited') exits.inc({ vassal: event.vassal });
  });
  return { registry, dispose: unsubscribe };
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
  new Counter({
    name: 'emperor_vassal_restarts_total', help: 'Restarts of each vassal since the emperor started', labelNames: ['vassal'], registers: [registry],
    collect() {
      this.reset();
      for (const v of list()) this.inc({ vassal: v.name }, v.restarts);
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
  new Counter({
    name: 'emperor_log_lines_dropped_total', help: 'Output lines a vassal could not write to its logto file (full disk, no permission)', labelNames: ['vassal'], registers: [registry],
    collect() {
      this.reset();
      for (const [vassal, n] of port.droppedLogLines()) this.inc({ vassal }, n);
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
  perVassalGauge(registry, list, 'emperor_instance_uptime_seconds', 'Seconds the serving instance has been up (0 when none)', (v) => v.uptime ?? 0);
  perVassalGauge(registry, list, 'emperor_vassal_ready', '1 when the vassal is running and ready, else 0', (v) => (v.state === 'running' ? 1 : 0));
  perVassalGauge(registry, list, 'emperor_throttle_delay_seconds', 'Current respawn delay; 0 while deaths are respawned at once (within the restart burst)', (v) => v.throttleDelayMs / 1000);
}

function perVassalGauge(registry: Registry, list: () => VassalStatus[], name: string, help: string, value: (v: VassalStatus) => number): void {
  new Gauge({
    name, help, labelNames: ['vassal'], registers: [registry],
    collect() {
      this.reset();
      for (const v of list()) this.set({ vassal: v.name }, value(v));
    },
  });
}
