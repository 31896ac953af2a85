import { Fault } from "../mqtt-data";
import { readProperties } from "../mqtt-properties";
import { reasonCode } from "../../mqtt/reason-codes";
import { rule } from "../mqtt-rules";
import type { ConnackPacket } from "../mqtt-types";
import type { BodyDecoder } from "./handler";

/** CONNACK (§3.2): acknowledge flags, the return or reason code, and in MQTT 5 properties. */
export const decodeConnack: BodyDecoder = ({ r, version, remainingLength }) => {
  const ackFlags = r.u8("connect acknowledge flags");
  // MQTT 3.1 reserves the whole byte; 3.1.1 and 5 use bit 0 for Session Present.
  if (ackFlags & 0xfe) throw new Fault("malformed", rule(version, "connackFlags"), `connect acknowledge flags 0x${ackFlags.toString(16)}: bits 7-1 are reserved`);
  const sessionPresent = (ackFlags & 1) === 1;
  const code = r.u8(version === 5 ? "reason code" : "return code");
  const reason = reasonCode("CONNACK", code, version);
  if (!reason) throw new Fault("malformed", rule(version, "connackCode"), `CONNACK ${version === 5 ? "reason" : "return"} code ${code} is not assigned`);
  if (sessionPresent && code !== 0) throw new Fault("protocol-error", rule(version, "sessionPresentOnFailure"), `Session Present set on a refusal (${reason.name})`);
  const packet: ConnackPacket = { type: "CONNACK", remainingLength, sessionPresent, reason };
  if (version === 5) {
    const properties = readProperties(r, "CONNACK");
    if (properties) packet.properties = properties;
  }
  return packet;
};
