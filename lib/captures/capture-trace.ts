/**
 * A capture's MQTT packets (lib/capture/mqtt-types.ts) as the trace the live taps make: each
 * TCP connection a hop, named by its CONNECT's client id (else by its addresses), each packet a
 * TraceEvent with capture time, and PUBLISH handshakes followed through FlowTracker, so `/wire`,
 * the sequence diagram and the Delivery panel read a capture as they read the live broker. Pure:
 * time is the capture's.
 */
import type { MqttPacketEvent, ConnLabel, DecodedPacket, MalformedPacket } from "../capture/mqtt-types";
import { BUILT_IN_CONVENTIONS } from "../devices/builtin";
import { Interpreter } from "../devices/registry";
import { encodeLength } from "../qos/client-tap";
import type { WirePacketType } from "../mqtt/packet";
import { FlowTracker, type Flow } from "../qos/flow";
import type { PacketType, QoS } from "../mqtt/packet";
import { STUCK_AFTER_MS } from "../trace/hub";
import type { TraceEvent } from "../mqtt/packet";

const FLOW_TYPES = new Set(["PUBLISH", "PUBACK", "PUBREC", "PUBREL", "PUBCOMP"]);
const TYPE_CODE: Record<string, number> = { CONNECT: 1, CONNACK: 2, PUBLISH: 3, PUBACK: 4, PUBREC: 5, PUBREL: 6, PUBCOMP: 7, SUBSCRIBE: 8, SUBACK: 9, UNSUBSCRIBE: 10, UNSUBACK: 11, PINGREQ: 12, PINGRESP: 13, DISCONNECT: 14, AUTH: 15 };
/** Malformed packets and flow anomalies a summary lists; the counts go on past them. */
export const MAX_LISTED = 200;
/** Devices a summary names; more are still in the packets. */
export const MAX_DEVICES_LISTED = 1000;

export interface FlowCounts {
  complete: number;
  in_flight: number;
  stuck: number;
}

export interface HopFlows {
  byState: FlowCounts;
  byQos: Record<"0" | "1" | "2", FlowCounts>;
}

const noFlows = (): FlowCounts => ({ complete: 0, in_flight: 0, stuck: 0 });
const hopFlows = (): HopFlows => ({ byState: noFlows(), byQos: { "0": noFlows(), "1": noFlows(), "2": noFlows() } });

/** The fixed header as it was on the wire, in hex: the type and flags byte, then the Remaining Length. */
export function fixedHeaderHex(p: Exclude<DecodedPacket, MalformedPacket>): string {
  let first = TYPE_CODE[p.type]! << 4;
  if (p.type === "PUBLISH") first |= (p.dup ? 8 : 0) | (p.qos << 1) | (p.retain ? 1 : 0);
  else if (p.type === "PUBREL" || p.type === "SUBSCRIBE" || p.type === "UNSUBSCRIBE") first |= 2;
  const bytes = [first, ...encodeLength(p.remainingLength)];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A connection's endpoints, `client > server`: its label without the capture's own number. */
export function endpointsOf(conn: ConnLabel): string {
  return conn.slice(conn.indexOf(" ") + 1);
}

export class CaptureTrace {
  /**
   * `clientIds`: the client id of connections whose CONNECT came before this capture began, by
   * their endpoints (a live capture's later segments learn them from the earlier ones).
   */
  constructor(private readonly clientIds: ReadonlyMap<string, string> = new Map()) {}

  private readonly tracker = new FlowTracker(STUCK_AFTER_MS);
  private readonly hops = new Map<ConnLabel, string>();
  private readonly counted = new WeakSet<Flow>();
  private readonly conventions = new Interpreter(BUILT_IN_CONVENTIONS);
  private seq = 0;
  private lastTs = 0;
  private sweptAt = 0;
  readonly flows = new Map<string, HopFlows>();
  readonly malformed: { hop: string; ts: number; dir: "c2s" | "s2c"; rule: string; reason: string; error: MalformedPacket["error"] }[] = [];
  malformedCount = 0;
  readonly anomalies: { hop: string; flow: string; text: string }[] = [];
  anomalyCount = 0;
  /** The devices whose messages the capture holds, by the built-in conventions, first seen first. */
  readonly devices = new Set<string>();

  /** The hop a connection's packets are on: its client id once its CONNECT is seen. */
  hopOf(conn: ConnLabel): string {
    const hop = this.hops.get(conn);
    if (hop !== undefined) return hop;
    const known = this.clientIds.get(endpointsOf(conn));
    if (known !== undefined) this.hops.set(conn, known);
    return known ?? conn;
  }

  /** The packet as a TraceEvent, or null for one that breaks a rule (listed in `malformed`). */
  event(e: MqttPacketEvent): TraceEvent | null {
    this.lastTs = Math.max(this.lastTs, e.ts);
    const p = e.packet;
    if (p.type === "MALFORMED") {
      this.malformedCount++;
      if (this.malformed.length < MAX_LISTED) this.malformed.push({ hop: this.hopOf(e.conn), ts: e.ts, dir: e.dir, rule: p.rule, reason: p.reason, error: p.error });
      return null;
    }
    if (p.type === "CONNECT" && e.dir === "c2s") {
      // A client id the broker assigned (an empty one) leaves the addresses as the name.
      if (p.clientId !== "") this.hops.set(e.conn, p.clientId);
      // A clean session drops what was in flight: those flows never complete.
      for (const dropped of this.tracker.session(this.hopOf(e.conn), p.cleanStart, e.ts)) this.count(dropped, "stuck");
    }
    const hop = this.hopOf(e.conn);
    const from = e.dir === "c2s" ? "client" : "server";
    const publish = p.type === "PUBLISH" ? p : null;
    const id = "id" in p ? p.id : undefined;
    const event: TraceEvent = {
      seq: ++this.seq,
      t: e.ts,
      hop,
      from,
      type: p.type.toLowerCase() as WirePacketType,
      qos: publish?.qos ?? (p.type === "PUBREL" ? 1 : 0),
      dup: publish?.dup ?? false,
      retain: publish?.retain ?? false,
      remainingLength: p.remainingLength,
      header: fixedHeaderHex(p),
      sampled: 1,
    };
    if (id !== undefined) event.id = id;
    if (publish) {
      event.topic = publish.topic;
      event.payloadBytes = publish.payloadLength;
    }
    if (FLOW_TYPES.has(p.type)) {
      const { flow, orphan } = this.tracker.apply({ hop, from, t: e.ts, type: p.type.toLowerCase() as PacketType, id, qos: (publish?.qos ?? 1) as QoS, dup: event.dup, topic: publish?.topic });
      event.topic ??= flow.topic ?? undefined;
      event.flow = { key: flow.key, state: flow.state, latencyMs: flow.latencyMs, retransmissions: flow.retransmissions, anomalies: flow.anomalies.slice() };
      if (orphan) this.note(flow);
      else if (flow.state === "complete" && !this.counted.has(flow)) {
        this.counted.add(flow);
        this.count(flow, "complete");
      }
      // Once a capture second: a flow that waited too long is stuck (and still completes if answered late).
      if (e.ts - this.sweptAt >= 1000) {
        this.tracker.sweep(e.ts);
        this.sweptAt = e.ts;
      }
    }
    if (event.topic) {
      const device = this.conventions.deviceOfTopic(event.topic);
      if (device) {
        event.device = device;
        if (this.devices.size < MAX_DEVICES_LISTED) this.devices.add(device);
      }
    }
    return event;
  }

  /** At the end of the capture: flows still waiting are in flight, or stuck past STUCK_AFTER_MS. */
  finish(): FlowCounts {
    this.tracker.sweep(this.lastTs);
    for (const flow of this.tracker.pending()) this.count(flow, flow.state === "stuck" ? "stuck" : "in_flight");
    const total = noFlows();
    for (const h of this.flows.values()) for (const k of ["complete", "in_flight", "stuck"] as const) total[k] += h.byState[k];
    return total;
  }

  private count(flow: Flow, state: keyof FlowCounts) {
    let h = this.flows.get(flow.hop);
    if (!h) this.flows.set(flow.hop, (h = hopFlows()));
    h.byState[state]++;
    h.byQos[String(flow.qos) as "0" | "1" | "2"][state]++;
    this.note(flow);
  }

  private note(flow: Flow) {
    for (const text of flow.anomalies) {
      this.anomalyCount++;
      if (this.anomalies.length < MAX_LISTED) this.anomalies.push({ hop: flow.hop, flow: flow.key, text });
    }
  }
}
