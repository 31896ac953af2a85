/**
 * Which MQTT protocol level the tab speaks. The server knows its broker: the embedded Aedes
 * speaks 3.1.1 only, so tabs on it connect with level 4 and never get refused. An external
 * broker may speak either: the tab asks for 5 and steps down to 4 when the broker refuses the
 * level, and says which one it got.
 */

/** The protocol level in CONNECT: 4 is MQTT 3.1.1, 5 is MQTT 5.0. */
export type ProtocolLevel = 4 | 5;

/** What the server tells the tab: a level it knows the broker speaks, or "auto" (try 5, then 4). */
export type ProtocolChoice = ProtocolLevel | "auto";

export const PROTOCOL_NAMES: Record<ProtocolLevel, string> = { 4: "MQTT 3.1.1", 5: "MQTT 5" };

/** The embedded broker is 3.1.1; any other broker is asked for 5 first. */
export function protocolChoice(embeddedBroker: boolean): ProtocolChoice {
  return embeddedBroker ? 4 : "auto";
}

export function firstLevel(choice: ProtocolChoice): ProtocolLevel {
  return choice === "auto" ? 5 : choice;
}

/**
 * The level to try next after a CONNACK refused `level` with `code`, or null when the refusal
 * was not about the protocol level (bad credentials, say) and stepping down would not help.
 * A 3.1.1 server answers a level it does not support with return code 0x01 (3.1.1's
 * [MQTT-3.1.2-2]); a server answering in MQTT 5's codes says 0x84 Unsupported Protocol Version
 * (5.0's [MQTT-3.1.2-2]), as Aedes does to a level 5 CONNECT.
 */
export function levelAfterRefusal(choice: ProtocolChoice, level: ProtocolLevel, code: number | undefined): ProtocolLevel | null {
  if (choice !== "auto" || level !== 5) return null;
  return code === 0x01 || code === 0x84 ? 4 : null;
}
