import "server-only";
/**
 * The process's Prometheus registry (GET /api/metrics): prom-client's default process metrics
 * (CPU, memory, event-loop lag, GC, heap), the state of this process's parts read when scraped
 * (lib/server/state-metrics.ts registers them on first scrape), and the histograms the bridge, the command service and the HTTP server
 * observe into. A registry of our own, not prom-client's global one, so only what is named here
 * is exposed. On globalThis because server.ts's modules and the route handlers Next bundles load
 * separate copies of this module in one process.
 */
import { collectDefaultMetrics, Histogram, Registry } from "prom-client";
import { processSingleton } from "../process/singleton";

export interface FleetMetrics {
  registry: Registry;
  /** From a batch handed to the store to its commit (the bridge's drain). */
  ingestCommit: Histogram;
  /** From a command's `sent` to its final state, by that state. */
  commandRoundTrip: Histogram<"state">;
  /** Every HTTP request the server answers, by method, route pattern (never the raw path) and status. */
  httpRequest: Histogram<"method" | "route" | "status">;
}

export function fleetMetrics(): FleetMetrics {
  return processSingleton("metrics", create);
}

function create(): FleetMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    ingestCommit: new Histogram({
      name: "fleetscope_bridge_batch_commit_seconds",
      help: "Time from a batch of messages handed to the store to its commit",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    commandRoundTrip: new Histogram({
      name: "fleetscope_command_round_trip_seconds",
      help: "Time from a command sent to its final state, by that state",
      labelNames: ["state"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    httpRequest: new Histogram({
      name: "fleetscope_http_request_duration_seconds",
      help: "HTTP requests answered, by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}
