/**
 * A reason code as the tab says it: its hex and the name the spec's table gives it for the
 * packet that carried it (lib/mqtt/reason-codes.ts, shared with capture decoding).
 */
import { reasonCode, type ReasonPacket } from "./reason-codes";
import type { ReasonCode } from "./packet";
import type { ProtocolLevel } from "./protocol";

export const hexCode = (code: number) => `0x${code.toString(16).padStart(2, "0")}`;

/** The named code, or the bare code marked as one the packet may not carry. */
export function namedReason(packet: ReasonPacket, code: number, level: ProtocolLevel): ReasonCode {
  return reasonCode(packet, code, level) ?? { code, name: `not a ${packet} reason code in ${level === 5 ? "MQTT 5" : "MQTT 3.1.1"}` };
}

/**
 * A CONNACK's code, whichever level was asked: MQTT 5 refuses with 0x80 and above, so a lower
 * non-zero code is a 3.1.1 broker's return code (the answer to a level it does not speak).
 */
export function namedConnack(code: number, level: ProtocolLevel): ReasonCode {
  return namedReason("CONNACK", code, code !== 0 && code < 0x80 ? 4 : level);
}

/** "0x87 Not authorized". */
export function reasonText(packet: ReasonPacket, code: number, level: ProtocolLevel): string {
  return `${hexCode(code)} ${namedReason(packet, code, level).name}`;
}
