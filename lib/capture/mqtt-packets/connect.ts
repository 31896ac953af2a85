import { validateTopicName } from "../../mqtt/topic";
import { Fault, Reader } from "../mqtt-data";
import { readProperties } from "../mqtt-properties";
import { packetSection, rule, type RuleKey } from "../mqtt-rules";
import type { QoS } from "../../mqtt/packet";
import type { ConnectPacket, MqttVersion } from "../mqtt-types";
import { citedFault, type BodyDecoder } from "./handler";
import { MAX_PAYLOAD_HEAD_BYTES } from "./publish";

/** The protocol names each level goes with (§3.1.2.1): 3.1 called itself "MQIsdp". */
const PROTOCOL_NAMES: Record<number, string> = { 3: "MQIsdp", 4: "MQTT", 5: "MQTT" };
/** Mosquitto's bridges mark their CONNECT by the level's top bit. */
const BRIDGE_BIT = 0x80;

/**
 * CONNECT (§3.1). It says its own version, so the fields after the level are read as that level
 * lays them out, whatever the connection was thought to be. The password is skipped: its length
 * is all that is kept.
 */
export const decodeConnect: BodyDecoder = ({ r: outer, remainingLength }) => {
  const protocolName = outer.string("protocol name");
  const rawLevel = outer.u8("protocol level");
  const level = rawLevel & ~BRIDGE_BIT;
  // An unknown level is read with the 3.1.1 layout: the server will refuse it (§3.1.2.2), but the fields are still there.
  const version: MqttVersion = level === 5 ? 5 : level === 3 ? 3 : 4;
  if (PROTOCOL_NAMES[level] !== undefined && PROTOCOL_NAMES[level] !== protocolName) {
    throw new Fault("malformed", rule(version, "protocolName"), `protocol name "${protocolName}" with protocol level ${level}`);
  }
  const r = new Reader(outer.bytes, outer.at, outer.end, version, outer.kept);
  const flags = r.u8("connect flags");
  if (flags & 0x01) throw new Fault("malformed", rule(version, "connectReserved"), "the reserved connect flag is set");
  const willFlag = (flags & 0x04) !== 0;
  const willQos = (flags >> 3) & 3;
  const willRetain = (flags & 0x20) !== 0;
  const hasPassword = (flags & 0x40) !== 0;
  const hasUsername = (flags & 0x80) !== 0;
  if (!willFlag && willQos !== 0) throw new Fault("malformed", rule(version, "willQosWithoutWill"), `Will QoS ${willQos} without the Will Flag`);
  if (willQos === 3) throw new Fault("malformed", rule(version, "willQos3"), "Will QoS 3");
  if (!willFlag && willRetain) throw new Fault("malformed", rule(version, "willRetainWithoutWill"), "Will Retain without the Will Flag");
  if (version !== 5 && hasPassword && !hasUsername) throw new Fault("malformed", rule(version, "passwordWithoutUsername"), "a password without a user name");
  const keepAlive = r.u16("keep alive");
  const properties = version === 5 ? readProperties(r, "CONNECT") : undefined;
  const clientId = r.string("client identifier");
  const packet: ConnectPacket = { type: "CONNECT", remainingLength, protocolName, protocolLevel: level, cleanStart: (flags & 0x02) !== 0, keepAlive, clientId };
  if (rawLevel & BRIDGE_BIT) packet.bridge = true;
  if (properties) packet.properties = properties;
  const missing = (key: RuleKey, what: string) => {
    if (r.left === 0) throw new Fault("malformed", rule(version, key), `the connect flags announce ${what}, and the packet ends before it`);
  };
  if (willFlag) {
    missing("willFieldsMissing", "a will");
    const willProperties = version === 5 ? readProperties(r, "WILL") : undefined;
    const topic = r.string("will topic");
    const check = validateTopicName(topic);
    if (!check.ok) throw citedFault(`will topic: ${check.reason}`, rule(version, "topicEmpty"));
    const start = r.at + 2;
    const payloadLength = r.binaryLength("will payload");
    const payload = r.bytes.slice(start, Math.min(start + payloadLength, start + MAX_PAYLOAD_HEAD_BYTES, r.kept));
    packet.will = { topic, qos: willQos as QoS, retain: willRetain, payloadLength, payload };
    if (willProperties) packet.will.properties = willProperties;
  }
  if (hasUsername) {
    missing("usernameMissing", "a user name");
    packet.username = r.string("user name");
  }
  if (hasPassword) {
    missing("passwordMissing", "a password");
    packet.passwordLength = r.binaryLength("password");
  }
  if (r.left > 0) {
    throw new Fault("malformed", packetSection(version, "CONNECT"), `${r.left} bytes after the last field the connect flags announce`);
  }
  outer.at = r.at;
  return packet;
};
