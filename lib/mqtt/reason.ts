/**
 * A reason code as the tab says it: its hex and the name the spec's table gives it for the
 * packet that carried it (lib/capture/mqtt-reason-codes.ts, shared with capture decoding).
 */
import { reasonCode, type ReasonPacket } from "../capture/mqtt-reason-codes";
import type { ReasonCode } from "../capture/mqtt-types";
import type { ProtocolLevel } from "./protocol";

export const hexCode = (code: number) => `0x${code.toString(16).padStart(2, "0")}`;

/** The named code, or the bare code marked as one the packet may not carry. */
export function namedReason(packet: ReasonPacket, code: number, level: ProtocolLevel): ReasonCode {
  return reasonCode(packet, code, level) ?? { code, name: `not a ${packet} reason code in ${level === 5 ? "MQTT 5" : "MQTT 3.1.1"}` };
}

/** "0x87 Not authorized". */
export function reasonText(packet: ReasonPacket, code: number, level: ProtocolLevel): string {
  return `${hexCode(code)} ${namedReason(packet, code, level).name}`;
}
