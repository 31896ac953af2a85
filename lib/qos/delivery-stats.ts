/**
 * Per-QoS delivery figures from traced packets, as a device's Delivery panel shows them: flows
 * delivered (handshake complete), in flight, stuck, retransmissions, and handshake latency
 * percentiles. Pure: the latest state of each flow wins, whatever order packets came in.
 */
import type { QoS, TraceEvent } from "../mqtt/packet";

export interface QosFigures {
  delivered: number;
  inFlight: number;
  stuck: number;
  retransmitted: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export type DeliveryFigures = Record<"0" | "1" | "2", QosFigures>;

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function deliveryFigures(events: readonly TraceEvent[]): DeliveryFigures {
  const flows = new Map<string, { qos: QoS; seq: number; flow: NonNullable<TraceEvent["flow"]> }>();
  for (const e of events) {
    if (!e.flow) continue;
    const known = flows.get(e.flow.key);
    if (!known || known.seq < e.seq) flows.set(e.flow.key, { qos: known?.qos ?? e.qos, seq: e.seq, flow: e.flow });
  }
  const out = {} as DeliveryFigures;
  for (const q of ["0", "1", "2"] as const) {
    const mine = [...flows.values()].filter((f) => String(f.qos) === q);
    const latencies = mine.flatMap((f) => (f.flow.state === "complete" && f.flow.latencyMs !== null ? [f.flow.latencyMs] : [])).sort((a, b) => a - b);
    out[q] = {
      delivered: mine.filter((f) => f.flow.state === "complete").length,
      inFlight: mine.filter((f) => f.flow.state === "in_flight").length,
      stuck: mine.filter((f) => f.flow.state === "stuck").length,
      retransmitted: mine.reduce((n, f) => n + f.flow.retransmissions, 0),
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
    };
  }
  return out;
}

/** Where a packet's arrow starts and ends in the sequence diagram. */
export type Lane = "device" | "broker" | "bridge" | "browser" | "subscriber";

export function laneOf(hop: string): "device" | "bridge" | "browser" {
  if (hop.startsWith("fleetscope-bridge") || hop.startsWith("bench-bridge")) return "bridge";
  if (hop.startsWith("fleetscope-ui-") || hop.startsWith("this tab")) return "browser";
  return "device";
}

/**
 * A packet's arrow. Given the hop the message came from, a receiver of the sender's own kind (a
 * device's message to another device or to any other subscriber, as a capture on a broker host
 * shows) is drawn in a lane of its own, not on top of the sender.
 */
export function arrowOf(e: Pick<TraceEvent, "hop" | "from">, originHop?: string): { from: Lane; to: Lane } {
  const own = laneOf(e.hop);
  const lane: Lane = originHop !== undefined && e.hop !== originHop && own === laneOf(originHop) ? "subscriber" : own;
  return e.from === "client" ? { from: lane, to: "broker" } : { from: "broker", to: lane };
}

/**
 * The packets of one message across hops: the sender's PUBLISH to the broker, and on each other
 * hop the first delivery of the same topic and size within `windowMs` after it, with every
 * handshake packet of those flows. Given a delivery, it finds the PUBLISH it came from first.
 */
export function messagePath<T extends TraceEvent>(events: readonly T[], picked: T, windowMs = 500): T[] {
  const same = (e: T) => e.type === "publish" && e.flow !== undefined && e.topic === picked.topic && e.payloadBytes === picked.payloadBytes;
  let origin: T | undefined = picked.from === "client" ? picked : undefined;
  // Newest first, without copying the window (this runs on every redraw of a live view).
  for (let i = events.length - 1; i >= 0 && !origin; i--) {
    const e = events[i]!;
    if (same(e) && e.from === "client" && e.t <= picked.t && picked.t - e.t <= windowMs) origin = e;
  }
  const keys = new Set<string>();
  if (origin) {
    keys.add(origin.flow!.key);
    const hops = new Set<string>([origin.hop]);
    for (const e of events) {
      if (e.from !== "server" || !same(e) || hops.has(e.hop) || e.t < origin.t || e.t - origin.t > windowMs) continue;
      hops.add(e.hop);
      keys.add(e.flow!.key);
    }
  } else if (picked.flow) keys.add(picked.flow.key);
  return events.filter((e) => e.flow && keys.has(e.flow.key)).sort((a, b) => a.t - b.t || a.seq - b.seq);
}
