import { Fault } from "../mqtt-data";
import { readProperties } from "../mqtt-properties";
import { reasonCode, type ReasonPacket } from "../../mqtt/reason-codes";
import { rule, type RuleKey } from "../mqtt-rules";
import type { MqttVersion, SubackPacket } from "../mqtt-types";
import type { ReasonCode } from "../../mqtt/packet";
import type { BodyContext, BodyDecoder } from "./handler";

/** The codes after the header, one per filter, each one the packet may carry. */
export function readCodes(ctx: BodyContext, packet: ReasonPacket, key: RuleKey): ReasonCode[] {
  const { r, version } = ctx;
  const out: ReasonCode[] = [];
  while (r.left > 0) {
    const code = r.u8("reason code");
    const reason = reasonCode(packet, code, version as MqttVersion);
    if (!reason) throw new Fault("malformed", rule(version, key), `${packet} code 0x${code.toString(16).padStart(2, "0")} is not one of the ${packet} codes`);
    out.push(reason);
  }
  return out;
}

/** SUBACK (§3.9): packet identifier, MQTT 5 properties, then one return or reason code per filter. */
export const decodeSuback: BodyDecoder = (ctx) => {
  const { r, version, remainingLength } = ctx;
  const id = r.u16("packet identifier");
  const properties = version === 5 ? readProperties(r, "SUBACK") : undefined;
  const packet: SubackPacket = { type: "SUBACK", remainingLength, id, reasons: readCodes(ctx, "SUBACK", "subackCode") };
  if (properties) packet.properties = properties;
  return packet;
};
