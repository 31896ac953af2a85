/**
 * One whole MQTT control packet (fixed header and body) decoded for MQTT 3.1, 3.1.1 or 5: the
 * fixed header checked here (type, flags, Remaining Length), the body by the decoder of its type
 * in mqtt-packets/. A packet that breaks a rule comes back as a `MalformedPacket` naming the rule;
 * this never throws. Results are small: a payload is counted and only its head copied.
 */
import { Fault, Reader, readVarint, varintBytes } from "./mqtt-data";
import { decodeAuth } from "./mqtt-packets/auth";
import { decodeConnack } from "./mqtt-packets/connack";
import { decodeConnect } from "./mqtt-packets/connect";
import { decodeDisconnect } from "./mqtt-packets/disconnect";
import type { BodyDecoder } from "./mqtt-packets/handler";
import { decodePing } from "./mqtt-packets/ping";
import { decodePublish } from "./mqtt-packets/publish";
import { decodePublishAck } from "./mqtt-packets/publish-ack";
import { decodeSuback } from "./mqtt-packets/suback";
import { decodeSubscribe } from "./mqtt-packets/subscribe";
import { decodeUnsuback } from "./mqtt-packets/unsuback";
import { decodeUnsubscribe } from "./mqtt-packets/unsubscribe";
import { flagsRule, packetSection, REQUIRED_FLAGS, rule } from "./mqtt-rules";
import { PACKET_TYPE_NAMES, type DecodedPacket, type MalformedPacket, type MqttPacketType, type MqttVersion } from "./mqtt-types";

export { MAX_PAYLOAD_HEAD_BYTES } from "./mqtt-packets/publish";

const DECODERS: Record<MqttPacketType, BodyDecoder> = {
  CONNECT: decodeConnect,
  CONNACK: decodeConnack,
  PUBLISH: decodePublish,
  PUBACK: decodePublishAck("PUBACK"),
  PUBREC: decodePublishAck("PUBREC"),
  PUBREL: decodePublishAck("PUBREL"),
  PUBCOMP: decodePublishAck("PUBCOMP"),
  SUBSCRIBE: decodeSubscribe,
  SUBACK: decodeSuback,
  UNSUBSCRIBE: decodeUnsubscribe,
  UNSUBACK: decodeUnsuback,
  PINGREQ: decodePing("PINGREQ"),
  PINGRESP: decodePing("PINGRESP"),
  DISCONNECT: decodeDisconnect,
  AUTH: decodeAuth,
};

export interface DecodeOptions {
  /** The connection's protocol level; a CONNECT is read as its own level says. */
  version: MqttVersion;
  sender?: "client" | "server";
  /**
   * The packet's whole length when `bytes` holds only its first part (the rest was seen but not
   * kept): fields in the rest come back as a truncation, the payload is counted all the same.
   */
  packetLength?: number;
}

export type FixedHeader =
  | { kind: "ok"; code: number; flags: number; remainingLength: number; headerLength: number; minimal: boolean }
  /** Fewer bytes than the header needs. */
  | { kind: "short" }
  /** The Remaining Length runs past its four bytes. */
  | { kind: "long" };

/** The fixed header at `at` (3.1.1 §2.2, 5.0 §2.1.1), reading no further than `end`. */
export function readFixedHeader(bytes: Uint8Array, at: number, end: number): FixedHeader {
  if (at >= end) return { kind: "short" };
  const first = bytes[at]!;
  const length = readVarint(bytes, at + 1, end);
  if (length.kind === "short") return { kind: "short" };
  if (length.kind === "long") return { kind: "long" };
  return { kind: "ok", code: first >> 4, flags: first & 0x0f, remainingLength: length.value, headerLength: 1 + length.bytes, minimal: length.bytes === varintBytes(length.value) };
}

/** Why the type and flags of a first byte are not allowed in `version`, or undefined if they are. */
export function headerFault(first: number, version: MqttVersion): Fault | undefined {
  const code = first >> 4;
  const flags = first & 0x0f;
  const type = PACKET_TYPE_NAMES[code];
  if (type === undefined || (type === "AUTH" && version !== 5)) {
    return new Fault("malformed", rule(version, "reservedType"), `packet type ${code} is reserved${code === 15 ? " before MQTT 5" : ""}`);
  }
  if (type === "PUBLISH") return ((flags >> 1) & 3) === 3 ? new Fault("malformed", rule(version, "publishQos3"), "QoS 3") : undefined;
  const required = REQUIRED_FLAGS[type]!;
  // MQTT 3.1 gave every packet DUP, QoS and RETAIN bits, PUBREL, SUBSCRIBE and UNSUBSCRIBE
  // sending QoS 1; a 3.1 client may set DUP on their retries.
  const seen = version === 3 && required !== 0 ? flags & 0x07 : flags;
  if (seen !== required) {
    return new Fault("malformed", flagsRule(version, type), `${type} flags ${bits(flags)}, not ${bits(required)}`);
  }
  return undefined;
}

const bits = (n: number) => n.toString(2).padStart(4, "0");

/**
 * Decodes the packet at the start of `bytes`. Bytes after the packet's Remaining Length are not
 * looked at; fewer than it says make a truncated packet.
 */
export function decodePacket(bytes: Uint8Array, options: DecodeOptions): DecodedPacket {
  const { version } = options;
  const total = options.packetLength ?? bytes.length;
  const first = bytes[0];
  if (first === undefined) return malformed(0, undefined, new Fault("truncated", rule(version, "remainingLength"), "no bytes"));
  const header = readFixedHeader(bytes, 0, Math.min(bytes.length, total));
  if (header.kind === "long") return malformed(first, undefined, new Fault("malformed", rule(version, "remainingLength"), "the Remaining Length runs past four bytes"));
  if (header.kind === "short") return malformed(first, undefined, new Fault("truncated", rule(version, "remainingLength"), "the packet ends inside its fixed header"));
  const { remainingLength, headerLength } = header;
  const fault = headerFault(first, version);
  if (fault) return malformed(first, remainingLength, fault);
  if (version === 5 && !header.minimal) {
    return malformed(first, remainingLength, new Fault("malformed", rule(5, "varintMinimal"), `the Remaining Length ${remainingLength} takes ${headerLength - 1} bytes`));
  }
  const end = headerLength + remainingLength;
  if (end > total) {
    return malformed(first, remainingLength, new Fault("truncated", rule(version, "remainingLength"), `${total - headerLength} of the ${remainingLength} bytes after the fixed header are there`));
  }
  const type = PACKET_TYPE_NAMES[header.code]!;
  const r = new Reader(bytes, headerLength, end, version, Math.min(end, bytes.length));
  try {
    const packet = DECODERS[type]({ r, flags: header.flags, version, sender: options.sender, remainingLength });
    if (r.left > 0) throw new Fault("malformed", packetSection(version, type), `${r.left} bytes after the packet's last field`);
    return packet;
  } catch (e) {
    if (e instanceof Fault) return malformed(first, remainingLength, e);
    throw e;
  }
}

function malformed(first: number, remainingLength: number | undefined, f: Fault): MalformedPacket {
  const declared = PACKET_TYPE_NAMES[first >> 4];
  return { type: "MALFORMED", declared, header: first, remainingLength, error: f.error, rule: f.rule, reason: f.reason };
}

/** A malformed packet made outside the decoder (the stream's own findings: a cut, a bad header). */
export function malformedPacket(first: number, remainingLength: number | undefined, error: MalformedPacket["error"], cited: string, reason: string): MalformedPacket {
  return malformed(first, remainingLength, new Fault(error, cited, reason));
}
