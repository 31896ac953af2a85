import { validateTopicFilter } from "../../mqtt/topic";
import { Fault } from "../mqtt-data";
import { readProperties } from "../mqtt-properties";
import { rule } from "../mqtt-rules";
import type { QoS } from "../../mqtt/packet";
import type { SubscribePacket, Subscription } from "../mqtt-types";
import { nonZeroPacketId, readFilter, type BodyDecoder } from "./handler";

/** SUBSCRIBE (§3.8): packet identifier, MQTT 5 properties, then filter and options pairs. */
export const decodeSubscribe: BodyDecoder = (ctx) => {
  const { r, version, remainingLength } = ctx;
  const id = nonZeroPacketId(ctx, "a SUBSCRIBE");
  const properties = version === 5 ? readProperties(r, "SUBSCRIBE") : undefined;
  if (r.left === 0) throw new Fault("protocol-error", rule(version, "subscribeEmpty"), "SUBSCRIBE with no topic filter");
  const subscriptions: Subscription[] = [];
  while (r.left > 0) {
    const filter = readFilter(ctx, "topic filter", validateTopicFilter);
    const options = r.u8("subscription options");
    const qos = options & 3;
    if (version !== 5) {
      if (options & 0xfc) throw new Fault("malformed", rule(version, "subscribeOptions"), `requested QoS byte 0x${options.toString(16)}: bits 7-2 are reserved`);
      if (qos === 3) throw new Fault("malformed", rule(version, "subscribeQos3"), `QoS 3 requested for "${filter}"`);
      subscriptions.push({ filter, qos: qos as QoS });
      continue;
    }
    if (options & 0xc0) throw new Fault("malformed", rule(5, "subscribeOptions"), `subscription options 0x${options.toString(16)}: bits 7-6 are reserved`);
    if (qos === 3) throw new Fault("protocol-error", rule(5, "subscribeQos3"), `Maximum QoS 3 requested for "${filter}"`);
    const retainHandling = (options >> 4) & 3;
    if (retainHandling === 3) throw new Fault("protocol-error", rule(5, "retainHandling3"), `Retain Handling 3 for "${filter}"`);
    const noLocal = (options & 0x04) !== 0;
    if (noLocal && filter.startsWith("$share/")) throw new Fault("protocol-error", rule(5, "noLocalShared"), `No Local on the shared subscription "${filter}"`);
    subscriptions.push({ filter, qos: qos as QoS, noLocal, retainAsPublished: (options & 0x08) !== 0, retainHandling: retainHandling as 0 | 1 | 2 });
  }
  const packet: SubscribePacket = { type: "SUBSCRIBE", remainingLength, id, subscriptions };
  if (properties) packet.properties = properties;
  return packet;
};
