/**
 * What MQTT in a capture decodes to: packets (each decoded or malformed, with the rule it
 * breaks), the packet events of a connection, and the connection's summary. One home, importing
 * nothing, so the trace, the store and the browser can name them without pulling in a decoder.
 * Field layouts: MQTT 3.1.1 (OASIS, 2014) and MQTT 5.0 (OASIS, 2019), cited by section.
 */
import type { QoS, ReasonCode } from "../mqtt/packet";

/** The protocol level a CONNECT carries: 3 is MQTT 3.1 ("MQIsdp"), 4 is 3.1.1, 5 is 5.0. */
export type MqttVersion = 3 | 4 | 5;

/** Packet types by their code, in the spec's upper case; 0 is reserved (forbidden). */
export const PACKET_TYPE_NAMES = [
  undefined,
  "CONNECT",
  "CONNACK",
  "PUBLISH",
  "PUBACK",
  "PUBREC",
  "PUBREL",
  "PUBCOMP",
  "SUBSCRIBE",
  "SUBACK",
  "UNSUBSCRIBE",
  "UNSUBACK",
  "PINGREQ",
  "PINGRESP",
  "DISCONNECT",
  "AUTH",
] as const;
export type MqttPacketType = NonNullable<(typeof PACKET_TYPE_NAMES)[number]>;

export type PropertyName =
  | "Payload Format Indicator"
  | "Message Expiry Interval"
  | "Content Type"
  | "Response Topic"
  | "Correlation Data"
  | "Subscription Identifier"
  | "Session Expiry Interval"
  | "Assigned Client Identifier"
  | "Server Keep Alive"
  | "Authentication Method"
  | "Authentication Data"
  | "Request Problem Information"
  | "Will Delay Interval"
  | "Request Response Information"
  | "Response Information"
  | "Server Reference"
  | "Reason String"
  | "Receive Maximum"
  | "Topic Alias Maximum"
  | "Topic Alias"
  | "Maximum QoS"
  | "Retain Available"
  | "User Property"
  | "Maximum Packet Size"
  | "Wildcard Subscription Available"
  | "Subscription Identifier Available"
  | "Shared Subscription Available";

/** One MQTT 5 property (§2.2.2.2), by the data type of its value (§1.5). */
export type MqttProperty =
  | { id: number; name: PropertyName; type: "byte" | "two-byte" | "four-byte" | "varint"; value: number }
  | { id: number; name: PropertyName; type: "string"; value: string }
  | { id: number; name: "User Property"; type: "pair"; value: readonly [key: string, value: string] }
  /** Binary data: its first `MAX_BINARY_PROPERTY_BYTES`, copied; `length` is the whole. */
  | { id: number; name: PropertyName; type: "binary"; value: Uint8Array; length: number; truncated: boolean }
  /** Authentication Data: credentials, so only their length is kept. */
  | { id: number; name: "Authentication Data"; type: "redacted"; length: number };

interface PacketBase {
  /** The Remaining Length: the bytes after the fixed header. */
  remainingLength: number;
  /** Present (and non-empty) only in MQTT 5 packets that carry properties. */
  properties?: MqttProperty[];
}

export interface ConnectPacket extends PacketBase {
  type: "CONNECT";
  protocolName: string;
  /** As sent, without the bridge bit (see `bridge`). */
  protocolLevel: number;
  /** Mosquitto's bridges set the level's top bit (0x80) to say they are bridges. */
  bridge?: true;
  /** Clean Session in 3.1/3.1.1, Clean Start in 5. */
  cleanStart: boolean;
  keepAlive: number;
  clientId: string;
  will?: {
    topic: string;
    qos: QoS;
    retain: boolean;
    payloadLength: number;
    /** Its first `MAX_PAYLOAD_HEAD_BYTES`, copied. */
    payload: Uint8Array;
    properties?: MqttProperty[];
  };
  username?: string;
  /** The password's length: its bytes are never kept. */
  passwordLength?: number;
}

export interface ConnackPacket extends PacketBase {
  type: "CONNACK";
  sessionPresent: boolean;
  /** The Connect Return code (3.1.1) or Connect Reason Code (5). */
  reason: ReasonCode;
}

export interface PublishPacket extends PacketBase {
  type: "PUBLISH";
  dup: boolean;
  qos: QoS;
  retain: boolean;
  /** As sent; in MQTT 5 it may be empty, the topic then coming from `topicAlias` (see `topicFromAlias`). */
  topic: string;
  /** Set by the connection's decoder when `topic` was filled in from an earlier alias mapping. */
  topicFromAlias?: true;
  id?: number;
  topicAlias?: number;
  payloadLength: number;
  /** The payload's first `MAX_PAYLOAD_HEAD_BYTES`, copied, never the rest. */
  payload: Uint8Array;
  payloadTruncated: boolean;
}

export interface PublishAckPacket extends PacketBase {
  type: "PUBACK" | "PUBREC" | "PUBREL" | "PUBCOMP";
  id: number;
  /** MQTT 5 only; "Success" when the packet omits it (§3.4.2.1). */
  reason?: ReasonCode;
}

export interface Subscription {
  filter: string;
  /** Requested (maximum) QoS. */
  qos: QoS;
  /** MQTT 5 subscription options (§3.8.3.1). */
  noLocal?: boolean;
  retainAsPublished?: boolean;
  retainHandling?: 0 | 1 | 2;
}

export interface SubscribePacket extends PacketBase {
  type: "SUBSCRIBE";
  id: number;
  subscriptions: Subscription[];
}

export interface SubackPacket extends PacketBase {
  type: "SUBACK";
  id: number;
  /** One per filter subscribed: return codes in 3.1.1, reason codes in 5. */
  reasons: ReasonCode[];
}

export interface UnsubscribePacket extends PacketBase {
  type: "UNSUBSCRIBE";
  id: number;
  filters: string[];
}

export interface UnsubackPacket extends PacketBase {
  type: "UNSUBACK";
  id: number;
  /** MQTT 5 only: one per filter. */
  reasons?: ReasonCode[];
}

export interface PingPacket extends PacketBase {
  type: "PINGREQ" | "PINGRESP";
}

export interface DisconnectPacket extends PacketBase {
  type: "DISCONNECT";
  /** MQTT 5 only; "Normal disconnection" when the packet omits it. */
  reason?: ReasonCode;
}

export interface AuthPacket extends PacketBase {
  type: "AUTH";
  reason: ReasonCode;
}

export type MqttPacket =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PublishAckPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingPacket
  | DisconnectPacket
  | AuthPacket;

/**
 * A packet that breaks a rule (a Malformed Packet or a Protocol Error, MQTT 5.0 §4.13), or that
 * the capture holds only part of. Returned in place of the packet, never thrown.
 */
export interface MalformedPacket {
  type: "MALFORMED";
  /** The type its first byte names, when it names one. */
  declared: MqttPacketType | undefined;
  /** The first byte: type and flags. */
  header: number;
  /** Unknown when the Remaining Length itself is what is malformed. */
  remainingLength: number | undefined;
  /** "truncated": the capture (a gap, its end, or a keeping limit) cut the packet, not its sender. */
  error: "malformed" | "protocol-error" | "truncated";
  /** The normative statement broken, e.g. "[MQTT-3.3.1-4]", or the section when it has none. */
  rule: string;
  reason: string;
}

export type DecodedPacket = MqttPacket | MalformedPacket;

/** A connection as packet events name it: its number in the capture and its endpoints. */
export type ConnLabel = string & { readonly __brand: "ConnLabel" };

export type Transport = "tcp" | "websocket";

export interface MqttPacketEvent {
  conn: ConnLabel;
  dir: "c2s" | "s2c";
  /** Capture time (epoch ms) of the segment that completed the packet. */
  ts: number;
  transport: Transport;
  packet: DecodedPacket;
}

export type PacketCounts = Partial<Record<MqttPacketType | "MALFORMED", number>>;

export interface EndpointText {
  address: string;
  port: number;
}

export interface ConnectionSummary {
  conn: ConnLabel;
  id: number;
  client: EndpointText;
  server: EndpointText;
  /** Whether the TCP handshake was captured (else which side is the client was told by ports). */
  handshake: boolean;
  transport: Transport | "tls";
  firstTs: number;
  lastTs: number;
  version?: MqttVersion;
  /** True when no CONNECT was seen and the version was told from the packets. */
  versionInferred: boolean;
  /** What told the version: the CONNECT, or the packet that only one version allows. */
  versionEvidence?: string;
  clientId?: string;
  protocolName?: string;
  keepAlive?: number;
  cleanStart?: boolean;
  will?: { topic: string; qos: QoS; retain: boolean };
  username?: string;
  /** Never the password itself. */
  passwordLength?: number;
  connack?: ReasonCode;
  packets: { c2s: PacketCounts; s2c: PacketCounts };
  /** Packets that break a rule (not those the capture cut). */
  malformed: number;
  /** Packets the capture holds only part of. */
  truncated: number;
  /** Bytes passed over while looking for the next packet after a gap or a framing error. */
  skippedBytes: number;
  /** TCP gaps in either direction. */
  gaps: number;
  webSocket?: {
    path?: string;
    subprotocol?: string;
    frames: { c2s: number; s2c: number };
    controlFrames: { ping: number; pong: number; close: number };
  };
  /** "TLS: encrypted": records and bytes are counted, nothing is decoded. */
  tls?: { records: { c2s: number; s2c: number }; bytes: { c2s: number; s2c: number } };
  /** What went wrong below MQTT (WebSocket framing, the HTTP upgrade), capped. */
  problems: string[];
  problemsOmitted: number;
}
