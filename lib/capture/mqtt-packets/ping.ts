import { Fault } from "../mqtt-data";
import { packetSection } from "../mqtt-rules";
import type { BodyDecoder } from "./handler";

/** PINGREQ and PINGRESP have no variable header and no payload (§3.12, §3.13). */
export const decodePing =
  (type: "PINGREQ" | "PINGRESP"): BodyDecoder =>
  ({ remainingLength, version }) => {
    if (remainingLength !== 0) throw new Fault("malformed", packetSection(version, type), `${type} with a Remaining Length of ${remainingLength}, not 0`);
    return { type, remainingLength };
  };
