/**
 * The small protocol types every runtime shares, in one place: the QoS levels, the packet type
 * names (MQTT 3.1.1 §2.2.1, MQTT 5.0 §2.1.2), who sent a packet on a connection, and the trace
 * event that the broker's tap, the bridge's and the browser's own client taps, and capture files
 * all produce and every trace view reads.
 */

/** At most once, at least once, exactly once: per hop, never end to end. */
export type QoS = 0 | 1 | 2;

/** The packet type names, indexed by the fixed header's type nibble. */
export const PACKET_TYPES = [
  "reserved",
  "connect",
  "connack",
  "publish",
  "puback",
  "pubrec",
  "pubrel",
  "pubcomp",
  "subscribe",
  "suback",
  "unsubscribe",
  "unsuback",
  "pingreq",
  "pingresp",
  "disconnect",
  "auth",
] as const;
export type WirePacketType = (typeof PACKET_TYPES)[number];

/** The packets of a PUBLISH's handshake, the ones a QoS flow is made of. */
export type PacketType = "publish" | "puback" | "pubrec" | "pubrel" | "pubcomp";

/** Who sent a packet on a connection. */
export type Side = "client" | "server";

/** Where a QoS flow stands after a packet (lib/qos/flow.ts). */
export type FlowState = "in_flight" | "complete" | "stuck";

/** One packet on one hop, as every trace view shows it. */
export interface TraceEvent {
  seq: number;
  t: number;
  /** The connection, by the client id it gave in CONNECT. */
  hop: string;
  /** Who sent it on that connection. */
  from: Side;
  type: WirePacketType;
  qos: QoS;
  dup: boolean;
  retain: boolean;
  id?: number;
  topic?: string;
  /** The demo convention's device the packet's flow concerns, if any. */
  device?: string;
  payloadBytes?: number;
  /** An MQTT 5 acknowledgement's reason code (MQTT 5.0 §2.4), named; 3.1.1 acknowledgements carry none. */
  reason?: { code: number; name: string };
  remainingLength: number;
  /** The fixed header as sent, in hex. */
  header: string;
  /** Recorded 1 in this many (1: every packet). */
  sampled: number;
  /** The flow this packet belongs to, and its state after it. */
  flow?: { key: string; state: FlowState; latencyMs: number | null; retransmissions: number; anomalies: string[] };
}

/** A reason code (MQTT 5.0 §2.4) or a 3.1.1 return code, with its name in the spec's table. */
export interface ReasonCode {
  readonly code: number;
  readonly name: string;
}
