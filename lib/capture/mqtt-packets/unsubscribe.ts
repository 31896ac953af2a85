import { validateTopicFilter } from "../../mqtt/topic";
import { Fault } from "../mqtt-data";
import { readProperties } from "../mqtt-properties";
import { rule } from "../mqtt-rules";
import type { UnsubscribePacket } from "../mqtt-types";
import { nonZeroPacketId, readFilter, type BodyDecoder } from "./handler";

/** UNSUBSCRIBE (§3.10): packet identifier, MQTT 5 properties, then at least one filter. */
export const decodeUnsubscribe: BodyDecoder = (ctx) => {
  const { r, version, remainingLength } = ctx;
  const id = nonZeroPacketId(ctx, "an UNSUBSCRIBE");
  const properties = version === 5 ? readProperties(r, "UNSUBSCRIBE") : undefined;
  if (r.left === 0) throw new Fault("protocol-error", rule(version, "unsubscribeEmpty"), "UNSUBSCRIBE with no topic filter");
  const filters: string[] = [];
  while (r.left > 0) filters.push(readFilter(ctx, "topic filter", validateTopicFilter));
  const packet: UnsubscribePacket = { type: "UNSUBSCRIBE", remainingLength, id, filters };
  if (properties) packet.properties = properties;
  return packet;
};
