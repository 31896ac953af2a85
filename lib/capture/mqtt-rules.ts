/**
 * The rules a decoder enforces, each cited as the version at hand numbers it: 3.1.1 and 5.0
 * number the same statement differently (reserved flags are [MQTT-2.2.2-1] in one and
 * [MQTT-2.1.3-1] in the other). MQTT 3.1 has no numbered statements; 3.1.1 restated it, so
 * level 3 is cited by the 3.1.1 numbers. A rule with no statement of its own is cited by section.
 */
import type { MqttPacketType, MqttVersion } from "./mqtt-types";

export type RuleKey =
  | "reservedType"
  | "reservedFlags"
  | "remainingLength"
  | "varintMinimal"
  | "utf8"
  | "nullCharacter"
  | "packetIdZero"
  | "dupOnQos0"
  | "publishQos3"
  | "topicEmpty"
  | "protocolName"
  | "connectReserved"
  | "willQosWithoutWill"
  | "willQos3"
  | "willRetainWithoutWill"
  | "passwordWithoutUsername"
  | "willFieldsMissing"
  | "usernameMissing"
  | "passwordMissing"
  | "connackFlags"
  | "connackCode"
  | "sessionPresentOnFailure"
  | "subscribeEmpty"
  | "subscribeOptions"
  | "subscribeQos3"
  | "retainHandling3"
  | "noLocalShared"
  | "unsubscribeEmpty"
  | "subackCode"
  | "unsubackCode"
  | "disconnectCode"
  | "authCode"
  | "propertyLength"
  | "propertyId"
  | "propertyRepeated"
  | "propertyValue"
  | "topicAliasZero"
  | "subscriptionIdFromClient"
  | "sessionExpiryFromServer"
  | "authMethodMissing";

const v311 = (s: string) => `MQTT 3.1.1 §${s}`;
const v5 = (s: string) => `MQTT 5.0 §${s}`;

/** By version: [3.1 and 3.1.1, 5.0]; undefined where the rule does not exist in that version. */
const RULES: Record<RuleKey, readonly [string | undefined, string | undefined]> = {
  reservedType: [v311("2.2.1"), v5("2.1.2")],
  reservedFlags: ["[MQTT-2.2.2-1]", "[MQTT-2.1.3-1]"],
  remainingLength: [v311("2.2.3"), v5("2.1.4")],
  varintMinimal: [undefined, "[MQTT-1.5.5-1]"],
  utf8: ["[MQTT-1.5.3-1]", "[MQTT-1.5.4-1]"],
  nullCharacter: ["[MQTT-1.5.3-2]", "[MQTT-1.5.4-2]"],
  packetIdZero: ["[MQTT-2.3.1-1]", "[MQTT-2.2.1-3]"],
  dupOnQos0: ["[MQTT-3.3.1-2]", "[MQTT-3.3.1-2]"],
  publishQos3: ["[MQTT-3.3.1-4]", "[MQTT-3.3.1-4]"],
  topicEmpty: ["[MQTT-4.7.3-1]", v5("3.3.2.1")],
  protocolName: ["[MQTT-3.1.2-1]", "[MQTT-3.1.2-1]"],
  connectReserved: ["[MQTT-3.1.2-3]", "[MQTT-3.1.2-3]"],
  willQosWithoutWill: ["[MQTT-3.1.2-13]", "[MQTT-3.1.2-11]"],
  willQos3: ["[MQTT-3.1.2-14]", "[MQTT-3.1.2-12]"],
  willRetainWithoutWill: ["[MQTT-3.1.2-15]", "[MQTT-3.1.2-13]"],
  passwordWithoutUsername: ["[MQTT-3.1.2-22]", undefined],
  willFieldsMissing: ["[MQTT-3.1.2-9]", "[MQTT-3.1.2-9]"],
  usernameMissing: ["[MQTT-3.1.2-19]", "[MQTT-3.1.2-17]"],
  passwordMissing: ["[MQTT-3.1.2-21]", "[MQTT-3.1.2-19]"],
  connackFlags: [v311("3.2.2.1"), "[MQTT-3.2.2-1]"],
  connackCode: [v311("3.2.2.3"), v5("3.2.2.2")],
  sessionPresentOnFailure: ["[MQTT-3.2.2-4]", "[MQTT-3.2.2-6]"],
  subscribeEmpty: ["[MQTT-3.8.3-3]", "[MQTT-3.8.3-2]"],
  // 3.1.1 prints this one as "MQTT-3-8.3-4".
  subscribeOptions: ["[MQTT-3-8.3-4]", "[MQTT-3.8.3-5]"],
  subscribeQos3: ["[MQTT-3-8.3-4]", v5("3.8.3.1")],
  retainHandling3: [undefined, v5("3.8.3.1")],
  noLocalShared: [undefined, "[MQTT-3.8.3-4]"],
  unsubscribeEmpty: ["[MQTT-3.10.3-2]", "[MQTT-3.10.3-2]"],
  subackCode: ["[MQTT-3.9.3-2]", "[MQTT-3.9.3-2]"],
  unsubackCode: [undefined, v5("3.11.3")],
  disconnectCode: [undefined, "[MQTT-3.14.2-1]"],
  authCode: [undefined, "[MQTT-3.15.2-1]"],
  propertyLength: [undefined, v5("2.2.2.1")],
  propertyId: [undefined, v5("2.2.2.2")],
  propertyRepeated: [undefined, v5("2.2.2.2")],
  propertyValue: [undefined, v5("2.2.2.2")],
  topicAliasZero: [undefined, "[MQTT-3.3.2-8]"],
  subscriptionIdFromClient: [undefined, "[MQTT-3.3.4-6]"],
  sessionExpiryFromServer: [undefined, "[MQTT-3.14.2-2]"],
  authMethodMissing: [undefined, v5("3.15.2.2.2")],
};

export function rule(version: MqttVersion, key: RuleKey): string {
  const [old, five] = RULES[key];
  return (version === 5 ? five : old) ?? five ?? old ?? key;
}

/** A PUBLISH with packet id 0: the server's is a statement of its own in 5.0 [MQTT-2.2.1-4]. */
export function packetIdRule(version: MqttVersion, sender: "client" | "server" | undefined): string {
  return version === 5 && sender === "server" ? "[MQTT-2.2.1-4]" : rule(version, "packetIdZero");
}

/** The fixed-header flags each type requires (all but PUBLISH, whose flags mean DUP, QoS, RETAIN). */
export const REQUIRED_FLAGS: Partial<Record<MqttPacketType, number>> = {
  CONNECT: 0,
  CONNACK: 0,
  PUBACK: 0,
  PUBREC: 0,
  PUBREL: 0b0010,
  PUBCOMP: 0,
  SUBSCRIBE: 0b0010,
  SUBACK: 0,
  UNSUBSCRIBE: 0b0010,
  UNSUBACK: 0,
  PINGREQ: 0,
  PINGRESP: 0,
  DISCONNECT: 0,
  AUTH: 0,
};

/** Where wrong flags have a statement of their own, it is cited instead of the general rule. */
export function flagsRule(version: MqttVersion, type: MqttPacketType): string {
  switch (type) {
    case "PUBREL":
      return "[MQTT-3.6.1-1]";
    case "SUBSCRIBE":
      return "[MQTT-3.8.1-1]";
    case "UNSUBSCRIBE":
      return "[MQTT-3.10.1-1]";
    case "DISCONNECT":
      return "[MQTT-3.14.1-1]";
    case "AUTH":
      return "[MQTT-3.15.1-1]";
    default:
      return rule(version, "reservedFlags");
  }
}

/** The acknowledgements' "MUST use one of the … Reason Codes" statements (MQTT 5.0). */
export function ackCodeRule(type: "PUBACK" | "PUBREC" | "PUBREL" | "PUBCOMP"): string {
  return { PUBACK: "[MQTT-3.4.2-1]", PUBREC: "[MQTT-3.5.2-1]", PUBREL: "[MQTT-3.6.2-1]", PUBCOMP: "[MQTT-3.7.2-1]" }[type];
}

/** The section of a packet type, for a rule about its layout that has no statement of its own. */
export function packetSection(version: MqttVersion, type: MqttPacketType): string {
  const section = `3.${TYPE_CODES[type]}`;
  return version === 5 ? v5(section) : v311(section);
}

export const TYPE_CODES: Record<MqttPacketType, number> = {
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  PUBREC: 5,
  PUBREL: 6,
  PUBCOMP: 7,
  SUBSCRIBE: 8,
  SUBACK: 9,
  UNSUBSCRIBE: 10,
  UNSUBACK: 11,
  PINGREQ: 12,
  PINGRESP: 13,
  DISCONNECT: 14,
  AUTH: 15,
};
