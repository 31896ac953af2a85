/**
 * What the evaluator is told, as the bridge and the services see it happen: a device's message
 * (its values and `seq`), a liveness change, a QoS flow gone wrong, a command's outcome. Each
 * carries its own time `t`. `observationsOf` turns one interpreted message (lib/devices/convention.ts)
 * into them, so the bridge hook is one line per message. Pure.
 */
import type { Interpretation, Measurement, SeqFact } from "../devices/convention";
import type { DeviceRef } from "./selector";
import type { SeqReading } from "./seq";

export type Observation =
  | {
      type: "message";
      device: DeviceRef;
      t: number;
      topic: string;
      /** Field → value as received; only finite numbers (or numeric text) are data (lib/alerts/compare.ts). */
      values?: Record<string, unknown>;
      /** The counter and its stream (default: the topic), for loss rules. */
      seq?: SeqReading & { stream?: string };
    }
  | { type: "liveness"; device: DeviceRef; t: number; status: "online" | "offline" | "unknown"; reason: string; since?: number }
  /** From the QoS flow tracker (lib/qos/flow.ts): a flow that turned stuck, or a PUBLISH or PUBREL resent. */
  | { type: "flow"; device: DeviceRef; t: number; topic?: string; outcome: "stuck" | "retransmitted" }
  /** From the command lifecycle (lib/commands/lifecycle.ts) when a command reaches a final state. */
  | { type: "command"; device: DeviceRef; t: number; name: string; outcome: "succeeded" | "failed" | "timed_out" | "rejected"; error?: string };

/**
 * The observations one interpreted message makes, at time `t`: per device, its liveness when
 * the message said it, then a message with its measurements and the message's `seq`. A fact
 * that does not say the device spoke now (a retained description) makes no message observation:
 * it is not data, and counting it would hide a silence.
 */
export function observationsOf(topic: string, interpretation: Pick<Interpretation, "device" | "facts"> & { seq?: SeqFact | null }, t: number): Observation[] {
  const out: Observation[] = [];
  for (const facts of interpretation.facts) {
    const device: DeviceRef = { id: facts.id, group: facts.group, convention: facts.convention };
    if (facts.liveness) {
      const l = facts.liveness;
      out.push({ type: "liveness", device, t, status: l.status, reason: l.reason, since: l.since });
    }
    if (!facts.seen) continue;
    const message: Observation = { type: "message", device, t, topic, values: valuesOf(facts.measurements) };
    const seq = interpretation.seq;
    if (seq && interpretation.device === facts.id) message.seq = { value: seq.value, stream: seq.stream, modulo: seq.modulo, restart: seq.restart };
    out.push(message);
  }
  return out;
}

function valuesOf(measurements: Record<string, Measurement> | undefined): Record<string, unknown> | undefined {
  if (!measurements) return undefined;
  const values: Record<string, unknown> = {};
  for (const [field, m] of Object.entries(measurements)) values[field] = m.value;
  return values;
}
