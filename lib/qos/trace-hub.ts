import "server-only";
/**
 * Where the server's packet taps report: the embedded broker's device connections (and any other
 * hop that calls `record`). Feeds the QoS flow state machine, keeps a bounded window of recent
 * packets and finished flows, and tells listeners (the streaming endpoint) of each packet. One per
 * process, on globalThis, because the server entry and Next's bundled route handlers each load
 * their own copy of this module.
 */
import { EventEmitter } from "node:events";
import { parseDemoTopic } from "../devices/demo-convention";
import type { Packet } from "mqtt";
import { ClientTap } from "../mqtt/client-tap";
import type { PacketPeek, WirePacket } from "../mqtt/framer";
import { FlowTracker, senderOf, type Flow, type PacketType, type Side } from "./flow";
import { createSampler } from "./sampler";

/** A handshake with no answer for this long is shown as stuck. */
export const STUCK_AFTER_MS = 5_000;
/** Packets kept for the wire view's backlog. */
export const RECENT_PACKETS = 5_000;
const FLOW_PACKETS = new Set(["publish", "puback", "pubrec", "pubrel", "pubcomp"]);
/**
 * Packets a second the hub records in full. Past it, whole flows are sampled 1:N (by packet id,
 * so a PUBLISH and its acknowledgements are kept or skipped together), which bounds what tracing
 * costs the broker however busy it gets; every event says the N it was sampled at.
 */
export const HUB_BUDGET_PER_SECOND = 5_000;

export interface TraceEvent {
  seq: number;
  t: number;
  /** The connection, by the client id it gave in CONNECT. */
  hop: string;
  /** Who sent it on that connection. */
  from: Side;
  type: WirePacket["type"];
  qos: 0 | 1 | 2;
  dup: boolean;
  retain: boolean;
  id?: number;
  topic?: string;
  /** The demo convention's device the packet's flow concerns, if any. */
  device?: string;
  payloadBytes?: number;
  remainingLength: number;
  /** The fixed header as sent, in hex. */
  header: string;
  /** Recorded 1 in this many (1: every packet). */
  sampled: number;
  /** The flow this packet belongs to, and its state after it. */
  flow?: { key: string; state: Flow["state"]; latencyMs: number | null; retransmissions: number; anomalies: string[] };
}

interface HubEvents {
  packet: [TraceEvent];
  stuck: [Flow];
}

export class TraceHub extends EventEmitter<HubEvents> {
  private readonly tracker: FlowTracker;
  /** A ring: `recent[next]` is the oldest once it is full. */
  private readonly recent: TraceEvent[] = [];
  private next = 0;
  private seq = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly sampler;
  private qos0 = 0;
  /** Packets seen and not recorded because of sampling. */
  skipped = 0;

  constructor(stuckAfterMs = STUCK_AFTER_MS, budgetPerSecond = HUB_BUDGET_PER_SECOND) {
    super();
    this.setMaxListeners(0); // one per open wire view
    this.tracker = new FlowTracker(stuckAfterMs);
    this.sampler = createSampler(budgetPerSecond);
    this.timer = setInterval(() => this.sweep(Date.now()), Math.min(1000, stuckAfterMs / 2));
    this.timer.unref();
  }

  session(hop: string, clean: boolean, t: number): void {
    this.tracker.session(hop, clean, t);
  }

  /** The sampling in force when the last packet was admitted. */
  private every = 1;

  /**
   * Counts a packet for sampling and says whether to record it. Taps ask before the framer
   * describes a packet, so one that is skipped costs next to nothing.
   */
  admit(hop: string, from: Side, p: PacketPeek, t = Date.now()): boolean {
    this.every = this.sampler.observe(t);
    if (this.every === 1 || this.keep(hop, from, p, this.every)) return true;
    this.skipped++;
    return false;
  }

  /** Records a packet; null when sampling skipped it. `admitted`: admit() already said yes. */
  record(hop: string, from: Side, p: WirePacket, t = Date.now(), admitted = false): TraceEvent | null {
    if (!admitted && !this.admit(hop, from, p, t)) return null;
    const event: TraceEvent = {
      sampled: this.every,
      seq: ++this.seq,
      t,
      hop,
      from,
      type: p.type,
      qos: p.qos,
      dup: p.dup,
      retain: p.retain,
      id: p.id,
      topic: p.topic,
      payloadBytes: p.payloadBytes,
      remainingLength: p.remainingLength,
      header: hex(p.header),
    };
    if (FLOW_PACKETS.has(p.type)) {
      const { flow } = this.tracker.apply({ hop, from, t, type: p.type as "publish", id: p.id, qos: p.qos, dup: p.dup, topic: p.topic });
      event.topic ??= flow.topic ?? undefined;
      event.flow = { key: flow.key, state: flow.state, latencyMs: flow.latencyMs, retransmissions: flow.retransmissions, anomalies: [...flow.anomalies] };
    }
    if (event.topic) event.device = this.deviceOf(event.topic);
    this.remember(event);
    return event;
  }

  private keep(hop: string, from: Side, p: PacketPeek, every: number): boolean {
    if (!FLOW_PACKETS.has(p.type)) return true; // connections and subscriptions are rare and telling
    const sender = senderOf(p.type as PacketType, from);
    if (this.tracker.isOpen(hop, sender, p.id)) return true; // the rest of a flow already kept
    if (p.type !== "publish") return false;
    return p.qos === 0 ? this.qos0++ % every === 0 : (p.id ?? 0) % every === 0;
  }

  /**
   * Records an event a client-side tap built itself (the bridge's client, with an external broker
   * nothing else sees), under the same sampling as the broker's taps.
   */
  add(e: Omit<TraceEvent, "seq" | "device" | "sampled">): TraceEvent | null {
    if (!this.admit(e.hop, e.from, e, e.t)) return null;
    const event: TraceEvent = { ...e, seq: ++this.seq, sampled: this.every };
    if (event.topic) event.device = this.deviceOf(event.topic);
    this.remember(event);
    return event;
  }

  private remember(event: TraceEvent) {
    if (this.recent.length < RECENT_PACKETS) this.recent.push(event);
    else this.recent[this.next] = event;
    this.next = (this.next + 1) % RECENT_PACKETS;
    this.emit("packet", event);
  }

  /** Topics repeat: parse each once (the memo is dropped whole when it grows large). */
  private readonly devices = new Map<string, string | undefined>();
  private deviceOf(topic: string): string | undefined {
    if (this.devices.has(topic)) return this.devices.get(topic);
    if (this.devices.size >= 10_000) this.devices.clear();
    const device = parseDemoTopic(topic)?.device;
    this.devices.set(topic, device);
    return device;
  }

  /** Recent packets, oldest first. */
  packets(): TraceEvent[] {
    return this.recent.length < RECENT_PACKETS ? this.recent.slice() : [...this.recent.slice(this.next), ...this.recent.slice(0, this.next)];
  }

  pending(): Flow[] {
    return this.tracker.pending();
  }

  sweep(now: number): void {
    for (const flow of this.tracker.sweep(now)) this.emit("stuck", flow);
  }

  close(): void {
    clearInterval(this.timer);
    this.removeAllListeners();
  }
}

/** A fixed header is 2–5 bytes: a loop beats a Buffer round trip per packet. */
function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += (b < 16 ? "0" : "") + b.toString(16);
  return out;
}

const KEY = Symbol.for("fleetscope.trace");

/** The process's hub: made by the server entry, found by the route handlers. */
export function sharedTraceHub(): TraceHub {
  const g = globalThis as { [KEY]?: TraceHub };
  return (g[KEY] ??= new TraceHub());
}

/** A listener for an MQTT.js client's packet events that traces its hop into `hub`. */
export function clientTapTo(hub: TraceHub, clientId: string): (packet: Packet, from: Side) => void {
  const tap = new ClientTap(clientId);
  return (packet, from) => {
    const e = tap.event(packet, from, Date.now());
    if (e) hub.add(e);
  };
}
