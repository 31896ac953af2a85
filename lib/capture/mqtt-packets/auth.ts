import { Fault } from "../mqtt-data";
import { findProperty, readProperties } from "../mqtt-properties";
import { impliedSuccess, reasonCode } from "../../mqtt/reason-codes";
import { rule } from "../mqtt-rules";
import type { AuthPacket } from "../mqtt-types";
import type { BodyDecoder } from "./handler";

/** AUTH (MQTT 5 §3.15): a reason code and properties, both left out for a plain Success. */
export const decodeAuth: BodyDecoder = ({ r, remainingLength }) => {
  if (r.left === 0) return { type: "AUTH", remainingLength, reason: impliedSuccess("AUTH") };
  const code = r.u8("reason code");
  const reason = reasonCode("AUTH", code, 5);
  if (!reason) throw new Fault("malformed", rule(5, "authCode"), `AUTH reason code 0x${code.toString(16).padStart(2, "0")} is not one of the AUTH codes`);
  const packet: AuthPacket = { type: "AUTH", remainingLength, reason };
  const properties = r.left > 0 ? readProperties(r, "AUTH") : undefined;
  if (!findProperty(properties, "Authentication Method")) throw new Fault("protocol-error", rule(5, "authMethodMissing"), "AUTH without an Authentication Method");
  if (properties) packet.properties = properties;
  return packet;
};
