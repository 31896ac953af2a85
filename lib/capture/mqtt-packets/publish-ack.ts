import { Fault } from "../mqtt-data";
import { readProperties } from "../mqtt-properties";
import { impliedSuccess, reasonCode } from "../../mqtt/reason-codes";
import { ackCodeRule } from "../mqtt-rules";
import type { PublishAckPacket } from "../mqtt-types";
import type { BodyDecoder } from "./handler";

type AckType = PublishAckPacket["type"];

/**
 * PUBACK, PUBREC, PUBREL, PUBCOMP: a packet identifier; in MQTT 5 a reason code and properties
 * may follow, each left out when the rest is (§3.4.2: Remaining Length 2 means Success, no properties).
 */
export const decodePublishAck =
  (type: AckType): BodyDecoder =>
  ({ r, version, remainingLength }) => {
    const id = r.u16("packet identifier");
    if (version !== 5 || r.left === 0) return version === 5 ? { type, remainingLength, id, reason: impliedSuccess(type) } : { type, remainingLength, id };
    const code = r.u8("reason code");
    const reason = reasonCode(type, code, 5);
    if (!reason) throw new Fault("malformed", ackCodeRule(type), `${type} reason code 0x${code.toString(16).padStart(2, "0")} is not one of the ${type} codes`);
    const properties = r.left > 0 ? readProperties(r, type) : undefined;
    return properties ? { type, remainingLength, id, reason, properties } : { type, remainingLength, id, reason };
  };
