/**
 * Which MQTT version a connection speaks when its CONNECT was not captured. Each packet is read
 * both ways, as 3.1.1 and as 5: one that only one version allows decides (an AUTH, an
 * acknowledgement with a reason code, properties whose lengths do not fit); one whose MQTT 5
 * properties parse to something decides for 5 too, random bytes rarely doing so. A PUBLISH whose
 * MQTT 5 reading has an empty property list only leans towards 5: in 3.1.1 its payload would
 * start with a zero byte, which is possible but rare.
 */
import { decodePacket } from "./mqtt-packet";
import type { DecodedPacket } from "./mqtt-types";

export type Vote =
  | { kind: "decided"; version: 4 | 5; evidence: string }
  /** Allowed both ways; `leans5` when it reads better as MQTT 5. */
  | { kind: "either"; leans5: boolean };

export interface BothWays {
  as4: DecodedPacket;
  as5: DecodedPacket;
  vote: Vote;
}

export function readBothWays(bytes: Uint8Array, packetLength: number, sender: "client" | "server"): BothWays {
  const as4 = decodePacket(bytes, { version: 4, sender, packetLength });
  const as5 = decodePacket(bytes, { version: 5, sender, packetLength });
  return { as4, as5, vote: vote(as4, as5) };
}

function vote(as4: DecodedPacket, as5: DecodedPacket): Vote {
  const ok4 = as4.type !== "MALFORMED";
  const ok5 = as5.type !== "MALFORMED";
  // A packet cut by the capture says nothing either way.
  if (as4.type === "MALFORMED" && as4.error === "truncated") return { kind: "either", leans5: false };
  if (ok5 && !ok4) return { kind: "decided", version: 5, evidence: `a ${as5.type} only MQTT 5 allows (as 3.1.1: ${as4.type === "MALFORMED" ? as4.reason : ""})` };
  if (ok4 && !ok5) return { kind: "decided", version: 4, evidence: `a ${as4.type} MQTT 5 does not allow (as 5: ${as5.type === "MALFORMED" ? as5.reason : ""})` };
  if (ok4 && ok5 && as5.properties) {
    const names = [...new Set(as5.properties.map((p) => p.name))].join(", ");
    return { kind: "decided", version: 5, evidence: `a ${as5.type} whose MQTT 5 properties parse (${names})` };
  }
  return { kind: "either", leans5: ok4 && ok5 && as5.type === "PUBLISH" && (as4.type === "PUBLISH" && as4.payload[0] === 0) };
}
