/**
 * Where observed QoS use contradicts the demo convention's intent (docs/architecture.md): a command that
 * changes a device's state sent at QoS 0 can vanish; an alarm at QoS 2 waits behind a four-packet
 * handshake when fast beats sure. Pure; the Delivery panel lists what it returns.
 */
import { parseDemoTopic } from "./conventions/demo";

export interface QosUse {
  topic: string;
  qos: 0 | 1 | 2;
}

export const QOS_PROMISES: Record<0 | 1 | 2, string> = {
  0: "at most once: PUBLISH and nothing back; fast, may be lost",
  1: "at least once: PUBLISH → PUBACK, resent until acknowledged; may arrive twice",
  2: "exactly once: PUBLISH → PUBREC → PUBREL → PUBCOMP; slowest, never doubled",
};

export function qosWarnings(uses: readonly QosUse[]): string[] {
  const out = new Set<string>();
  for (const u of uses) {
    const t = parseDemoTopic(u.topic);
    const kind = t?.kind ?? "other";
    const isCommand = u.topic.includes("/cmd/") && !u.topic.endsWith("/reply");
    if (isCommand && u.qos === 0) out.add(`${u.topic} is a command sent at QoS 0: it changes the device's state and can be lost without a trace. Use QoS 2.`);
    if (kind === "alarm" && u.qos === 2) out.add(`${u.topic} carries alarms at QoS 2: each waits for a four-packet handshake. Alarms are urgent; QoS 0 delivers them fastest.`);
    if (kind === "log" && u.qos === 0) out.add(`${u.topic} sends logs at QoS 0: a lost log line is gone for good. The convention is QoS 1.`);
  }
  return [...out];
}
