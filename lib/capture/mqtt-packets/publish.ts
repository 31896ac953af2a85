import { validateTopicName } from "../../mqtt/topic";
import { Fault } from "../mqtt-data";
import { findProperty, readProperties } from "../mqtt-properties";
import { rule } from "../mqtt-rules";
import type { QoS } from "../../mqtt/packet";
import type { PublishPacket } from "../mqtt-types";
import { citedFault, nonZeroPacketId, type BodyDecoder } from "./handler";

/** Payload bytes a decoded PUBLISH (or a will) keeps: a head to show, never the whole. */
export const MAX_PAYLOAD_HEAD_BYTES = 256;

/**
 * PUBLISH (§3.3): DUP, QoS and RETAIN in the fixed header; topic, packet identifier (QoS > 0)
 * and in MQTT 5 properties; then the payload, counted and its head copied.
 */
export const decodePublish: BodyDecoder = (ctx) => {
  const { r, flags, version, remainingLength } = ctx;
  const qos = ((flags >> 1) & 3) as QoS; // 3 was refused with the fixed header [MQTT-3.3.1-4]
  const dup = (flags & 0x08) !== 0;
  if (dup && qos === 0) throw new Fault("protocol-error", rule(version, "dupOnQos0"), "DUP set on a QoS 0 PUBLISH");
  const topic = r.string("topic name");
  const id = qos > 0 ? nonZeroPacketId(ctx, `a QoS ${qos} PUBLISH`) : undefined;
  const properties = version === 5 ? readProperties(r, "PUBLISH") : undefined;
  const alias = findProperty(properties, "Topic Alias");
  const topicAlias = alias?.type === "two-byte" ? alias.value : undefined;
  if (topic === "") {
    // MQTT 5 lets the topic be empty when a Topic Alias stands for it (§3.3.2.1).
    if (topicAlias === undefined) throw new Fault(version === 5 ? "protocol-error" : "malformed", rule(version, "topicEmpty"), "PUBLISH with an empty topic name" + (version === 5 ? " and no Topic Alias" : ""));
  } else {
    const check = validateTopicName(topic);
    if (!check.ok) throw citedFault(check.reason, rule(version, "topicEmpty"));
  }
  if (ctx.sender === "client" && findProperty(properties, "Subscription Identifier")) {
    throw new Fault("protocol-error", rule(5, "subscriptionIdFromClient"), "a client's PUBLISH carries a Subscription Identifier");
  }
  const payloadLength = r.left;
  const payload = r.head(r.end, MAX_PAYLOAD_HEAD_BYTES);
  r.at = r.end;
  const packet: PublishPacket = { type: "PUBLISH", remainingLength, dup, qos, retain: (flags & 1) === 1, topic, payloadLength, payload, payloadTruncated: payload.length < payloadLength };
  if (id !== undefined) packet.id = id;
  if (topicAlias !== undefined) packet.topicAlias = topicAlias;
  if (properties) packet.properties = properties;
  return packet;
};
