import { Fault } from "../mqtt-data";
import { findProperty, readProperties } from "../mqtt-properties";
import { impliedSuccess, reasonCode } from "../../mqtt/reason-codes";
import { rule } from "../mqtt-rules";
import type { DisconnectPacket } from "../mqtt-types";
import type { BodyDecoder } from "./handler";

/** DISCONNECT (§3.14): empty before MQTT 5; in 5 a reason code and properties, each optional. */
export const decodeDisconnect: BodyDecoder = ({ r, version, sender, remainingLength }) => {
  if (version !== 5) return { type: "DISCONNECT", remainingLength };
  if (r.left === 0) return { type: "DISCONNECT", remainingLength, reason: impliedSuccess("DISCONNECT") };
  const code = r.u8("reason code");
  const reason = reasonCode("DISCONNECT", code, 5);
  if (!reason) throw new Fault("malformed", rule(5, "disconnectCode"), `DISCONNECT reason code 0x${code.toString(16).padStart(2, "0")} is not one of the DISCONNECT codes`);
  const packet: DisconnectPacket = { type: "DISCONNECT", remainingLength, reason };
  const properties = r.left > 0 ? readProperties(r, "DISCONNECT") : undefined;
  if (properties) {
    if (sender === "server" && findProperty(properties, "Session Expiry Interval")) {
      throw new Fault("protocol-error", rule(5, "sessionExpiryFromServer"), "a server's DISCONNECT carries a Session Expiry Interval");
    }
    packet.properties = properties;
  }
  return packet;
};
