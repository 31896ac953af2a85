/**
 * The browser's own hop, traced from its MQTT.js client's `packetsend` / `packetreceive` events
 * (docs/architecture.md, gotcha 3): the same TraceEvents the broker's taps make, so the Wire view shows them
 * side by side, and the only trace there is when the broker is not ours to tap. MQTT.js hands
 * over packet objects, not bytes, so the fixed header is rebuilt from their fields.
 */
import type { Packet } from "mqtt";
import { FlowTracker } from "./flow";
import { PACKET_TYPES, type PacketType, type QoS, type Side, type TraceEvent } from "../mqtt/packet";
import type { ProtocolLevel } from "../mqtt/protocol";
import { namedConnack, namedReason } from "../mqtt/reason";

const FLOW_TYPES = new Set<string>(["publish", "puback", "pubrec", "pubrel", "pubcomp"]);
const utf8 = new TextEncoder();

/** Each byte as two hex digits, made once: a header is traced per packet, thousands a second. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** The fixed header in hex: the type/flags byte, then the remaining length's bytes, with no array between. */
function headerHex(first: number, remainingLength: number): string {
  let out = HEX[first]!;
  eachLengthByte(remainingLength, (b) => (out += HEX[b]!));
  return out;
}

/** The remaining length as its 1–4 variable-length bytes [MQTT-2.2.3]. */
export function encodeLength(n: number): number[] {
  const out: number[] = [];
  eachLengthByte(n, (b) => out.push(b));
  return out;
}

function eachLengthByte(n: number, emit: (b: number) => void): void {
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    emit(b);
  } while (n > 0);
}

interface PacketFields {
  cmd: string;
  qos?: number;
  dup?: boolean;
  retain?: boolean;
  messageId?: number;
  topic?: string;
  payload?: string | Uint8Array;
  length?: number;
  reasonCode?: number;
  returnCode?: number;
  granted?: number[];
}

/**
 * The anomalies of a flow that has none, one array for all: nearly every event has none, and a
 * view keeps thousands of events (read only), so a copy each was garbage kept for nothing.
 */
const NO_ANOMALIES: string[] = Object.freeze([]) as unknown as string[];
const ACK_NAMES = { puback: "PUBACK", pubrec: "PUBREC", pubrel: "PUBREL", pubcomp: "PUBCOMP" } as const;
/** The broker's answers that carry a verdict: traced with it named, though they belong to no flow. */
const VERDICTS = { connack: "CONNACK", suback: "SUBACK", disconnect: "DISCONNECT" } as const;
const isVerdict = (cmd: string): cmd is keyof typeof VERDICTS => Object.hasOwn(VERDICTS, cmd);

export class ClientTap {
  private readonly tracker = new FlowTracker(5_000);
  private seq = 0;

  constructor(
    private readonly hop: string,
    /** The connection's level now: MQTT.js sets a reason code on the acks it sends on 3.1.1 too, which never goes on the wire. */
    private readonly level: () => ProtocolLevel = () => 4,
  ) {}

  /**
   * A TraceEvent for a handshake packet, or for a CONNACK, SUBACK or DISCONNECT the broker sent;
   * null for the others (requests, pings).
   */
  event(packet: Packet, from: Side, t: number): TraceEvent | null {
    const p = packet as PacketFields;
    if (from === "server" && isVerdict(p.cmd)) return this.verdict(p, p.cmd, t);
    if (!FLOW_TYPES.has(p.cmd)) return null;
    const type = p.cmd as PacketType;
    const qos = (type === "publish" ? (p.qos ?? 0) : type === "puback" ? 1 : 2) as QoS;
    const payloadBytes = type === "publish" ? (typeof p.payload === "string" ? utf8.encode(p.payload).byteLength : (p.payload?.byteLength ?? 0)) : undefined;
    // Received packets carry their length; sent ones are rebuilt: topic, id, payload [MQTT-3.3.2].
    const remainingLength = p.length ?? (type === "publish" ? 2 + utf8.encode(p.topic ?? "").byteLength + (qos > 0 ? 2 : 0) + payloadBytes! : 2);
    const flags = type === "publish" ? ((p.dup ? 8 : 0) | (qos << 1) | (p.retain ? 1 : 0)) : type === "pubrel" ? 0x02 : 0;
    const { flow } = this.tracker.apply({ hop: this.hop, from, t, type, id: p.messageId, qos, dup: !!p.dup, topic: p.topic });
    return {
      seq: -++this.seq, // apart from the server's sequence
      t,
      hop: this.hop,
      from,
      type,
      qos,
      dup: !!p.dup,
      retain: !!p.retain,
      id: p.messageId,
      topic: p.topic ?? flow.topic ?? undefined,
      payloadBytes,
      // Left out of an MQTT 5 acknowledgement, it is 0x00 Success (MQTT 5.0 §3.4.2.1).
      ...(type !== "publish" && this.level() === 5 ? { reason: namedReason(ACK_NAMES[type], p.reasonCode ?? 0, 5) } : {}),
      remainingLength,
      header: headerHex((PACKET_TYPES.indexOf(type) << 4) | flags, remainingLength),
      sampled: 1,
      flow: { key: flow.key, state: flow.state, latencyMs: flow.latencyMs, retransmissions: flow.retransmissions, anomalies: flow.anomalies.length > 0 ? [...flow.anomalies] : NO_ANOMALIES },
    };
  }

  private verdict(p: PacketFields, cmd: keyof typeof VERDICTS, t: number): TraceEvent | null {
    const level = this.level();
    const packet = VERDICTS[cmd];
    // A SUBACK has a code per filter; CONNACK a return code on 3.1.1, a reason code on 5 (the
    // level may have just stepped down for this very CONNACK, so either field is read); a
    // DISCONNECT from the broker exists only on 5, 0x00 when left out (MQTT 5.0 §3.14.2.1).
    const codes = cmd === "suback" ? (p.granted ?? []) : [(cmd === "connack" ? (p.returnCode ?? p.reasonCode) : p.reasonCode) ?? 0];
    if (codes.length === 0) return null;
    const name = (c: number) => (cmd === "connack" ? namedConnack(c, level) : namedReason(packet, c, level)).name;
    const remainingLength = p.length ?? 0;
    return {
      seq: -++this.seq,
      t,
      hop: this.hop,
      from: "server",
      type: cmd,
      qos: 0,
      dup: false,
      retain: false,
      id: p.messageId,
      reason: { code: codes[0]!, name: codes.map(name).join(", ") },
      remainingLength,
      header: headerHex(PACKET_TYPES.indexOf(cmd) << 4, remainingLength),
      sampled: 1,
    };
  }
}
