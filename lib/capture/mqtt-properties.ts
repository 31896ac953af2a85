/**
 * MQTT 5 properties (§2.2.2): a Variable Byte Integer length, then identifier and value pairs.
 * Each identifier is checked against the packets it belongs to (the table of §2.2.2.2), its value
 * against its data type and range, and repeats against the rule that most may appear once.
 */
import { Fault, Reader } from "./mqtt-data";
import { rule } from "./mqtt-rules";
import type { MqttPacketType, MqttProperty, PropertyName } from "./mqtt-types";

/** Where properties appear: a packet's variable header, or a CONNECT's Will Properties. */
export type PropertyContext = MqttPacketType | "WILL";

/** Binary property bytes kept (Correlation Data): the rest is counted in `length`. */
export const MAX_BINARY_PROPERTY_BYTES = 256;

type DataType = "byte" | "two-byte" | "four-byte" | "varint" | "string" | "binary" | "pair";

interface PropertyDef {
  name: PropertyName;
  type: DataType;
  in: readonly PropertyContext[];
  /** Contexts where it may appear more than once (User Property everywhere is handled apart). */
  repeatable?: readonly PropertyContext[];
  /** Why the value is a Protocol Error, if it is. */
  check?: (value: number) => string | undefined;
}

const zeroOrOne = (v: number) => (v > 1 ? `has the value ${v}, not 0 or 1` : undefined);
const nonZero = (v: number) => (v === 0 ? "has the value 0" : undefined);

const ACKS: readonly PropertyContext[] = ["PUBACK", "PUBREC", "PUBREL", "PUBCOMP"];
const MESSAGE: readonly PropertyContext[] = ["PUBLISH", "WILL"];

/** MQTT 5.0 §2.2.2.2, Table 2-4. */
const PROPERTIES: ReadonlyMap<number, PropertyDef> = new Map<number, PropertyDef>([
  [0x01, { name: "Payload Format Indicator", type: "byte", in: MESSAGE, check: zeroOrOne }],
  [0x02, { name: "Message Expiry Interval", type: "four-byte", in: MESSAGE }],
  [0x03, { name: "Content Type", type: "string", in: MESSAGE }],
  [0x08, { name: "Response Topic", type: "string", in: MESSAGE }],
  [0x09, { name: "Correlation Data", type: "binary", in: MESSAGE }],
  [0x0b, { name: "Subscription Identifier", type: "varint", in: ["PUBLISH", "SUBSCRIBE"], repeatable: ["PUBLISH"], check: nonZero }],
  [0x11, { name: "Session Expiry Interval", type: "four-byte", in: ["CONNECT", "CONNACK", "DISCONNECT"] }],
  [0x12, { name: "Assigned Client Identifier", type: "string", in: ["CONNACK"] }],
  [0x13, { name: "Server Keep Alive", type: "two-byte", in: ["CONNACK"] }],
  [0x15, { name: "Authentication Method", type: "string", in: ["CONNECT", "CONNACK", "AUTH"] }],
  [0x16, { name: "Authentication Data", type: "binary", in: ["CONNECT", "CONNACK", "AUTH"] }],
  [0x17, { name: "Request Problem Information", type: "byte", in: ["CONNECT"], check: zeroOrOne }],
  [0x18, { name: "Will Delay Interval", type: "four-byte", in: ["WILL"] }],
  [0x19, { name: "Request Response Information", type: "byte", in: ["CONNECT"], check: zeroOrOne }],
  [0x1a, { name: "Response Information", type: "string", in: ["CONNACK"] }],
  [0x1c, { name: "Server Reference", type: "string", in: ["CONNACK", "DISCONNECT"] }],
  [0x1f, { name: "Reason String", type: "string", in: ["CONNACK", ...ACKS, "SUBACK", "UNSUBACK", "DISCONNECT", "AUTH"] }],
  [0x21, { name: "Receive Maximum", type: "two-byte", in: ["CONNECT", "CONNACK"], check: nonZero }],
  [0x22, { name: "Topic Alias Maximum", type: "two-byte", in: ["CONNECT", "CONNACK"] }],
  [0x23, { name: "Topic Alias", type: "two-byte", in: ["PUBLISH"], check: nonZero }],
  [0x24, { name: "Maximum QoS", type: "byte", in: ["CONNACK"], check: zeroOrOne }],
  [0x25, { name: "Retain Available", type: "byte", in: ["CONNACK"], check: zeroOrOne }],
  [0x26, { name: "User Property", type: "pair", in: ["CONNECT", "CONNACK", "PUBLISH", "WILL", ...ACKS, "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK", "DISCONNECT", "AUTH"] }],
  [0x27, { name: "Maximum Packet Size", type: "four-byte", in: ["CONNECT", "CONNACK"], check: nonZero }],
  [0x28, { name: "Wildcard Subscription Available", type: "byte", in: ["CONNACK"], check: zeroOrOne }],
  [0x29, { name: "Subscription Identifier Available", type: "byte", in: ["CONNACK"], check: zeroOrOne }],
  [0x2a, { name: "Shared Subscription Available", type: "byte", in: ["CONNACK"], check: zeroOrOne }],
]);

export const PROPERTY_NAMES: ReadonlyMap<number, PropertyName> = new Map(Array.from(PROPERTIES, ([id, d]) => [id, d.name]));

const hex = (n: number) => `0x${n.toString(16).padStart(2, "0")}`;

/**
 * The properties at the reader's position for `context`: undefined when there are none (the
 * common case costs no array). The reader ends after them.
 */
export function readProperties(r: Reader, context: PropertyContext): MqttProperty[] | undefined {
  const length = r.varint("property length");
  if (length === 0) return undefined;
  if (length > r.left) {
    throw new Fault("malformed", rule(5, "propertyLength"), `the property length ${length} runs past the packet's end (${r.left} bytes left)`);
  }
  const end = r.at + length;
  const inner = new Reader(r.bytes, r.at, end, 5, Math.min(end, r.kept), { name: "property list", rule: rule(5, "propertyLength") });
  const out: MqttProperty[] = [];
  // Identifiers seen, as bits: all assigned ones are below 64.
  let seenLow = 0;
  let seenHigh = 0;
  while (inner.at < end) {
    const id = inner.varint("property identifier");
    const def = PROPERTIES.get(id);
    if (!def) throw new Fault("malformed", rule(5, "propertyId"), `property identifier ${hex(id)} is not assigned`);
    const where = context === "WILL" ? "Will Properties" : context;
    if (!def.in.includes(context)) throw new Fault("malformed", rule(5, "propertyId"), `${def.name} (${hex(id)}) is not a property of ${where}`);
    const bit = 1 << (id & 31);
    const repeated = id < 32 ? seenLow & bit : seenHigh & bit;
    if (repeated && def.type !== "pair" && !def.repeatable?.includes(context)) {
      throw new Fault("protocol-error", rule(5, "propertyRepeated"), `${def.name} appears more than once in ${where}`);
    }
    if (id < 32) seenLow |= bit;
    else seenHigh |= bit;
    out.push(readValue(inner, id, def, where));
  }
  r.at = end;
  return out;
}

function readValue(r: Reader, id: number, def: PropertyDef, where: string): MqttProperty {
  const field = `${def.name} property`;
  switch (def.type) {
    case "byte":
    case "two-byte":
    case "four-byte":
    case "varint": {
      const value = def.type === "byte" ? r.u8(field) : def.type === "two-byte" ? r.u16(field) : def.type === "four-byte" ? r.u32(field) : r.varint(field);
      const problem = def.check?.(value);
      if (problem) {
        const cited = def.name === "Topic Alias" ? rule(5, "topicAliasZero") : rule(5, "propertyValue");
        throw new Fault("protocol-error", cited, `${def.name} in ${where} ${problem}`);
      }
      return { id, name: def.name, type: def.type, value };
    }
    case "string":
      return { id, name: def.name, type: "string", value: r.string(field) };
    case "pair": {
      const key = r.string(`${field} name`);
      return { id, name: "User Property", type: "pair", value: [key, r.string(`${field} value`)] };
    }
    case "binary": {
      if (def.name === "Authentication Data") return { id, name: "Authentication Data", type: "redacted", length: r.binaryLength(field) };
      const start = r.at + 2;
      const length = r.binaryLength(field);
      const value = r.bytes.slice(start, Math.min(start + length, start + MAX_BINARY_PROPERTY_BYTES, r.kept));
      return { id, name: def.name, type: "binary", value, length, truncated: value.length < length };
    }
  }
}

/** The first property of that name, if any. */
export function findProperty(properties: MqttProperty[] | undefined, name: PropertyName): MqttProperty | undefined {
  return properties?.find((p) => p.name === name);
}
