import { readProperties } from "../mqtt-properties";
import type { UnsubackPacket } from "../mqtt-types";
import type { BodyDecoder } from "./handler";
import { readCodes } from "./suback";

/** UNSUBACK (§3.11): a packet identifier; in MQTT 5 properties and one reason code per filter. */
export const decodeUnsuback: BodyDecoder = (ctx) => {
  const { r, version, remainingLength } = ctx;
  const id = r.u16("packet identifier");
  if (version !== 5) return { type: "UNSUBACK", remainingLength, id };
  const properties = readProperties(r, "UNSUBACK");
  const packet: UnsubackPacket = { type: "UNSUBACK", remainingLength, id, reasons: readCodes(ctx, "UNSUBACK", "unsubackCode") };
  if (properties) packet.properties = properties;
  return packet;
};
