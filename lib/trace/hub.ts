import "server-only";
/**
 * Where the server's packet taps report: the embedded broker's device connections (and any other
 * hop that calls `record`). Feeds the QoS flow state machine, keeps a bounded window of recent
 * packets and finished flows, and tells listeners (the streaming endpoint) of each packet. One per
 * process, on globalThis, because the server entry and Next's bundled route handlers each load
 * their own copy of this module.
 */
import { EventEmitter } from "node:events";
import { sharedInterpreter } from "../devices/shared";
import { BUILT_IN_CONVENTIONS } from "../devices/builtin";
import { Interpreter } from "../devices/registry";
import type { Packet } from "mqtt";
import { ClientTap } from "../qos/client-tap";
import type { PacketPeek, WirePacket } from "../mqtt/framer";
import { FlowTracker, senderOf, type Flow } from "../qos/flow";
import { PACKET_TYPES, type PacketType, type QoS, type Side, type TraceEvent } from "../mqtt/packet";
import { createSampler } from "../qos/sampler";
import { processSingleton } from "../process/singleton";

/** A handshake with no answer for this long is shown as stuck. */
export const STUCK_AFTER_MS = 5_000;
/** Packets kept for the wire view's backlog. */
export const RECENT_PACKETS = 5_000;
const FLOW_PACKETS = new Set(["publish", "puback", "pubrec", "pubrel", "pubcomp"]);
/**
 * Packets a second the hub records in full. Past it, whole flows are sampled 1:N (by packet id,
 * so a PUBLISH and its acknowledgements are kept or skipped together), which bounds what tracing
 * costs the broker however busy it gets, from a burst's first second on (lib/qos/sampler.ts);
 * every event says the N it was sampled at.
 */
export const HUB_BUDGET_PER_SECOND = 5_000;

interface HubEvents {
  packet: [TraceEvent];
  stuck: [Flow];
  /** A PUBLISH sent again (DUP set) that the hub recorded, for the alert rules that count them. */
  retransmitted: [packet: { topic: string | null }];
}

const FLOW_STATES: readonly Flow["state"][] = ["in_flight", "complete", "stuck"];
/** A plain object, not a Map: a lookup by a constant string is a property load. */
const TYPE_CODES = Object.fromEntries(PACKET_TYPES.map((t, i) => [t, i])) as Record<WirePacket["type"], number>;
const NO_NUMBER = -1;
/** PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP: the packets of a QoS flow are types 3 to 7 [MQTT-2.2.1]. */
const FIRST_FLOW_CODE = 3;
const LAST_FLOW_CODE = 7;

/**
 * The recent packets as columns of a preallocated ring rather than an object each: the hub writes
 * a few numbers and shared strings per packet, and a TraceEvent is only made when someone reads.
 * Kept objects are what cost a busy broker (each one outlives a young-generation collection and
 * is copied, then promoted), so the ring holds none of its own: no event, no flow, no step (a
 * flow's key string, and its anomaly list only when it has one).
 * `next` is the slot the next packet takes, and the oldest once the ring is full.
 */
class PacketRing {
  readonly seq: Float64Array;
  readonly t: Float64Array;
  readonly hop: string[];
  /** type code | from (1 = server) << 4 | qos << 5 | dup << 7 | retain << 8 */
  readonly bits: Uint16Array;
  readonly id: Int32Array;
  readonly topic: (string | undefined)[];
  readonly payloadBytes: Float64Array;
  readonly remainingLength: Float64Array;
  readonly header: string[];
  readonly sampled: Float64Array;
  readonly flowKey: (string | undefined)[];
  /** 0: no flow; else FLOW_STATES index + 1. */
  readonly flowState: Uint8Array;
  /** NaN for null. */
  readonly flowLatency: Float64Array;
  readonly flowRetransmissions: Float64Array;
  /** The flow's anomalies (only ever appended to) and how many there were after this packet. */
  readonly flowAnomalies: (readonly string[] | undefined)[];
  readonly flowAnomalyCount: Uint32Array;
  size = 0;
  next = 0;

  constructor(readonly capacity: number) {
    this.seq = new Float64Array(capacity);
    this.t = new Float64Array(capacity);
    this.hop = new Array<string>(capacity).fill("");
    this.bits = new Uint16Array(capacity);
    this.id = new Int32Array(capacity);
    this.topic = new Array<string | undefined>(capacity).fill(undefined);
    this.payloadBytes = new Float64Array(capacity);
    this.remainingLength = new Float64Array(capacity);
    this.header = new Array<string>(capacity).fill("");
    this.sampled = new Float64Array(capacity);
    this.flowKey = new Array<string | undefined>(capacity).fill(undefined);
    this.flowState = new Uint8Array(capacity);
    this.flowLatency = new Float64Array(capacity);
    this.flowRetransmissions = new Float64Array(capacity);
    this.flowAnomalies = new Array<readonly string[] | undefined>(capacity).fill(undefined);
    this.flowAnomalyCount = new Uint32Array(capacity);
  }

  /**
   * Takes the next slot (overwriting the oldest when full) for a packet's own fields and returns
   * it, for the flow's to follow. Positional rather than an object: this runs per packet.
   */
  put(seq: number, t: number, hop: string, p: PacketPeek & Pick<WirePacket, "retain" | "payloadBytes" | "remainingLength">, from: Side, header: string, sampled: number, topic: string | undefined): number {
    const slot = this.next;
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
    if (this.size < this.capacity) this.size++;
    this.seq[slot] = seq;
    this.t[slot] = t;
    this.hop[slot] = hop;
    this.bits[slot] = TYPE_CODES[p.type] | (from === "server" ? 16 : 0) | (p.qos << 5) | (p.dup ? 128 : 0) | (p.retain ? 256 : 0);
    this.id[slot] = p.id ?? NO_NUMBER;
    this.payloadBytes[slot] = p.payloadBytes ?? NO_NUMBER;
    this.remainingLength[slot] = p.remainingLength;
    this.header[slot] = header;
    this.sampled[slot] = sampled;
    this.topic[slot] = topic;
    return slot;
  }

  /** The slot of the i-th packet kept, oldest first. */
  slotOf(i: number): number {
    return this.size < this.capacity ? i : (this.next + i) % this.capacity;
  }

  setFlow(slot: number, flow: TraceEvent["flow"] | Flow | undefined) {
    if (!flow) {
      this.flowState[slot] = 0;
      this.flowKey[slot] = undefined;
      this.flowAnomalies[slot] = undefined;
      return;
    }
    this.flowKey[slot] = flow.key;
    this.flowState[slot] = FLOW_STATES.indexOf(flow.state) + 1;
    this.flowLatency[slot] = flow.latencyMs ?? NaN;
    this.flowRetransmissions[slot] = flow.retransmissions;
    this.flowAnomalies[slot] = flow.anomalies.length > 0 ? flow.anomalies : undefined;
    this.flowAnomalyCount[slot] = flow.anomalies.length;
  }
}

export class TraceHub extends EventEmitter<HubEvents> {
  private readonly tracker: FlowTracker;
  private readonly ring = new PacketRing(RECENT_PACKETS);
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
   * Counts a packet for sampling and says whether to record it. Taps ask before recording, so
   * a packet that is skipped costs next to nothing.
   */
  admit(hop: string, from: Side, p: PacketPeek, t = Date.now()): boolean {
    this.every = this.sampler.observe(t);
    if (this.every === 1 || this.keep(hop, from, p, this.every)) return true;
    this.skipped++;
    return false;
  }

  /**
   * Records a packet; false when sampling skipped it. `admitted`: admit() already said yes.
   * `p` is only read, never kept: a tap may hand the same object over for every packet.
   */
  record(hop: string, from: Side, p: WirePacket, t = Date.now(), admitted = false): boolean {
    if (!admitted && !this.admit(hop, from, p, t)) return false;
    const slot = this.ring.put(++this.seq, t, hop, p, from, hex(p.header), this.every, p.topic);
    const code = TYPE_CODES[p.type];
    if (code >= FIRST_FLOW_CODE && code <= LAST_FLOW_CODE) {
      const { flow } = this.tracker.apply({ hop, from, t, type: p.type as PacketType, id: p.id, qos: p.qos, dup: p.dup, topic: p.topic });
      // An acknowledgement carries no topic: it is its flow's.
      this.ring.topic[slot] = p.topic ?? flow.topic ?? undefined;
      this.ring.setFlow(slot, flow);
    } else this.ring.setFlow(slot, undefined);
    this.announce(slot);
    this.noteRetransmission(p, this.ring.topic[slot]);
    return true;
  }

  // [MQTT-3.3.1-1] DUP is set on a PUBLISH the sender is sending again.
  private noteRetransmission(p: { type: string; dup: boolean }, topic: string | undefined) {
    if (p.dup && p.type === "publish" && this.listenerCount("retransmitted") > 0) this.emit("retransmitted", { topic: topic ?? null });
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
  add(e: Omit<TraceEvent, "seq" | "device" | "sampled">): boolean {
    if (!this.admit(e.hop, e.from, e, e.t)) return false;
    const slot = this.ring.put(++this.seq, e.t, e.hop, e, e.from, e.header, this.every, e.topic);
    this.ring.setFlow(slot, e.flow);
    this.announce(slot);
    this.noteRetransmission(e, e.topic);
    return true;
  }

  /** Tells the streaming endpoints, if any are listening: only then is an event made. */
  private announce(slot: number) {
    if (this.listenerCount("packet") > 0) this.emit("packet", this.eventAt(slot));
  }

  /** The packet in `slot` as a TraceEvent of its own. */
  private eventAt(slot: number): TraceEvent {
    const r = this.ring;
    const bits = r.bits[slot]!;
    const id = r.id[slot]!;
    const payloadBytes = r.payloadBytes[slot]!;
    const topic = r.topic[slot];
    const event: TraceEvent = {
      sampled: r.sampled[slot]!,
      seq: r.seq[slot]!,
      t: r.t[slot]!,
      hop: r.hop[slot]!,
      from: bits & 16 ? "server" : "client",
      type: PACKET_TYPES[bits & 15]!,
      qos: ((bits >> 5) & 3) as QoS,
      dup: (bits & 128) !== 0,
      retain: (bits & 256) !== 0,
      id: id === NO_NUMBER ? undefined : id,
      topic,
      payloadBytes: payloadBytes === NO_NUMBER ? undefined : payloadBytes,
      remainingLength: r.remainingLength[slot]!,
      header: r.header[slot]!,
    };
    const state = r.flowState[slot]!;
    if (state > 0) {
      const latency = r.flowLatency[slot]!;
      event.flow = {
        key: r.flowKey[slot]!,
        state: FLOW_STATES[state - 1]!,
        latencyMs: Number.isNaN(latency) ? null : latency,
        retransmissions: r.flowRetransmissions[slot]!,
        anomalies: r.flowAnomalies[slot]?.slice(0, r.flowAnomalyCount[slot]) ?? [],
      };
    }
    if (topic) event.device = this.deviceOf(topic);
    return event;
  }

  /**
   * Whose a topic is, as the bridge's conventions read it (lib/devices/shared.ts): a packet that
   * comes before the bridge has read its topic's first message has no device yet.
   */
  private deviceOf(topic: string): string | undefined {
    return (sharedInterpreter() ?? this.layouts).deviceOfTopic(topic) ?? undefined;
  }

  /** Without a bridge in this process, what the conventions' layouts alone say. */
  private readonly layouts = new Interpreter(BUILT_IN_CONVENTIONS);

  /** Recent packets, oldest first. */
  packets(): TraceEvent[] {
    return Array.from({ length: this.ring.size }, (_, i) => this.eventAt(this.ring.slotOf(i)));
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

/**
 * Two- and three-byte fixed headers (remaining length under 16 KiB: nearly every packet) as hex,
 * by their bytes as one small integer: a busy broker sends few distinct ones.
 */
const hexOf = new Map<number, string>();
const HEX_MEMO_SIZE = 10_000;

/** A fixed header is 2–5 bytes: a loop beats a Buffer round trip, and a repeated one costs a lookup. */
function hex(bytes: Uint8Array): string {
  const key = bytes.length === 2 ? (bytes[0]! << 8) | bytes[1]! : bytes.length === 3 ? (1 << 24) | (bytes[0]! << 16) | (bytes[1]! << 8) | bytes[2]! : -1;
  const known = key >= 0 ? hexOf.get(key) : undefined;
  if (known !== undefined) return known;
  let out = "";
  for (const b of bytes) out += (b < 16 ? "0" : "") + b.toString(16);
  if (key >= 0) {
    if (hexOf.size >= HEX_MEMO_SIZE) hexOf.clear();
    hexOf.set(key, out);
  }
  return out;
}

/** The process's hub: made by the server entry, found by the route handlers. */
export function sharedTraceHub(): TraceHub {
  return processSingleton("trace", () => new TraceHub());
}

/** A listener for an MQTT.js client's packet events that traces its hop into `hub`. */
export function clientTapTo(hub: TraceHub, clientId: string): (packet: Packet, from: Side) => void {
  const tap = new ClientTap(clientId);
  return (packet, from) => {
    const e = tap.event(packet, from, Date.now());
    if (e) hub.add(e);
  };
}
