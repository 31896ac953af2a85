/**
 * Reason codes by the packet that carries them, with their names from the spec's tables:
 * MQTT 5.0 §2.4 and the table of each packet (§3.2.2.2, 3.4.2.1, 3.5.2.1, 3.6.2.1, 3.7.2.1,
 * 3.9.3, 3.11.3, 3.14.2.1, 3.15.2.1), and the 3.1.1 return codes (§3.2.2.3, 3.9.3). Each code is
 * one shared frozen object, so a million acknowledgements cost no allocation for their reason.
 */
import type { ReasonCode } from "./packet";

export type ReasonPacket = "CONNACK" | "PUBACK" | "PUBREC" | "PUBREL" | "PUBCOMP" | "SUBACK" | "UNSUBACK" | "DISCONNECT" | "AUTH";

/** The names MQTT 5.0 §2.4 gives each code (0x00 is named per packet, see `SUCCESS_NAMES`). */
const NAMES_5: Record<number, string> = {
  0x01: "Granted QoS 1",
  0x02: "Granted QoS 2",
  0x04: "Disconnect with Will Message",
  0x10: "No matching subscribers",
  0x11: "No subscription existed",
  0x18: "Continue authentication",
  0x19: "Re-authenticate",
  0x80: "Unspecified error",
  0x81: "Malformed Packet",
  0x82: "Protocol Error",
  0x83: "Implementation specific error",
  0x84: "Unsupported Protocol Version",
  0x85: "Client Identifier not valid",
  0x86: "Bad User Name or Password",
  0x87: "Not authorized",
  0x88: "Server unavailable",
  0x89: "Server busy",
  0x8a: "Banned",
  0x8b: "Server shutting down",
  0x8c: "Bad authentication method",
  0x8d: "Keep Alive timeout",
  0x8e: "Session taken over",
  0x8f: "Topic Filter invalid",
  0x90: "Topic Name invalid",
  0x91: "Packet Identifier in use",
  0x92: "Packet Identifier not found",
  0x93: "Receive Maximum exceeded",
  0x94: "Topic Alias invalid",
  0x95: "Packet too large",
  0x96: "Message rate too high",
  0x97: "Quota exceeded",
  0x98: "Administrative action",
  0x99: "Payload format invalid",
  0x9a: "Retain not supported",
  0x9b: "QoS not supported",
  0x9c: "Use another server",
  0x9d: "Server moved",
  0x9e: "Shared Subscriptions not supported",
  0x9f: "Connection rate exceeded",
  0xa0: "Maximum connect time",
  0xa1: "Subscription Identifiers not supported",
  0xa2: "Wildcard Subscriptions not supported",
};

const SUCCESS_NAMES: Record<ReasonPacket, string> = {
  CONNACK: "Success",
  PUBACK: "Success",
  PUBREC: "Success",
  PUBREL: "Success",
  PUBCOMP: "Success",
  SUBACK: "Granted QoS 0",
  UNSUBACK: "Success",
  DISCONNECT: "Normal disconnection",
  AUTH: "Success",
};

/** Which codes each packet may carry in MQTT 5.0. */
const ALLOWED_5: Record<ReasonPacket, readonly number[]> = {
  CONNACK: [0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f],
  PUBACK: [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99],
  PUBREC: [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99],
  PUBREL: [0x00, 0x92],
  PUBCOMP: [0x00, 0x92],
  SUBACK: [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2],
  UNSUBACK: [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91],
  DISCONNECT: [
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d,
    0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
  ],
  AUTH: [0x00, 0x18, 0x19],
};

const CONNACK_311: readonly string[] = [
  "Connection Accepted",
  "Connection Refused, unacceptable protocol version",
  "Connection Refused, identifier rejected",
  "Connection Refused, Server unavailable",
  "Connection Refused, bad user name or password",
  "Connection Refused, not authorized",
];

const SUBACK_311: Record<number, string> = {
  0x00: "Success - Maximum QoS 0",
  0x01: "Success - Maximum QoS 1",
  0x02: "Success - Maximum QoS 2",
  0x80: "Failure",
};

const freeze = (code: number, name: string): ReasonCode => Object.freeze({ code, name });

function table(entries: Iterable<[number, string]>): ReadonlyMap<number, ReasonCode> {
  return new Map(Array.from(entries, ([code, name]) => [code, freeze(code, name)]));
}

const TABLES_5 = Object.fromEntries(
  (Object.keys(ALLOWED_5) as ReasonPacket[]).map((p) => [p, table(ALLOWED_5[p].map((c) => [c, c === 0 ? SUCCESS_NAMES[p] : NAMES_5[c]!]))]),
) as Record<ReasonPacket, ReadonlyMap<number, ReasonCode>>;
const CONNACK_TABLE_311 = table(CONNACK_311.map((name, code) => [code, name]));
const SUBACK_TABLE_311 = table(Object.entries(SUBACK_311).map(([c, name]) => [Number(c), name]));

/** The code as `packet` names it in `version`, or undefined when that packet may not carry it. */
export function reasonCode(packet: ReasonPacket, code: number, version: 3 | 4 | 5): ReasonCode | undefined {
  if (version === 5) return TABLES_5[packet].get(code);
  if (packet === "CONNACK") return CONNACK_TABLE_311.get(code);
  if (packet === "SUBACK") return SUBACK_TABLE_311.get(code);
  return undefined;
}

/** The implied code of an MQTT 5 acknowledgement, DISCONNECT or AUTH that leaves it out. */
export function impliedSuccess(packet: ReasonPacket): ReasonCode {
  return TABLES_5[packet].get(0)!;
}
