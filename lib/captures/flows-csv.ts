/**
 * A capture's flows as CSV: one row per PUBLISH handshake, as its last packet left it (state,
 * latency, resends, anomalies), from the trace events in capture order. A flow's row is given as
 * soon as it completes, so only flows still open are held however long the capture; those come
 * last. Pure; cells through csvCell, since topics and client ids are the devices' text.
 */
import { csvCell as cell } from "../text/csv";
import type { TraceEvent } from "../mqtt/packet";

export const FLOWS_CSV_HEADER = "first_time,first_epoch_ms,client,sender,qos,packet_id,topic,state,latency_ms,steps,retransmissions,anomalies";

interface Row {
  first: number;
  hop: string;
  sender: "client" | "server";
  qos: number;
  id: number | undefined;
  topic: string;
  state: string;
  latency: number | null;
  steps: string[];
  retransmissions: number;
  anomalies: string[];
}

export class FlowRows {
  private readonly byKey = new Map<string, Row>();

  /** The row of the flow this event completes, or null. */
  add(e: TraceEvent): string | null {
    if (!e.flow) return null;
    let r = this.byKey.get(e.flow.key);
    if (!r) {
      r = { first: e.t, hop: e.hop, sender: e.from, qos: e.qos, id: e.id, topic: e.topic ?? "", state: "", latency: null, steps: [], retransmissions: 0, anomalies: [] };
      this.byKey.set(e.flow.key, r);
    }
    r.steps.push(e.type.toUpperCase() + (e.dup ? " (DUP)" : ""));
    r.state = e.flow.state;
    r.latency = e.flow.latencyMs;
    r.retransmissions = e.flow.retransmissions;
    r.anomalies = e.flow.anomalies;
    if (!r.topic && e.topic) r.topic = e.topic;
    if (r.state !== "complete") return null;
    this.byKey.delete(e.flow.key);
    return line(r);
  }

  /** The rows of the flows never completed (in flight or stuck at the capture's end). */
  rest(): string[] {
    return [...this.byKey.values()].map(line);
  }
}

function line(r: Row): string {
  return [new Date(r.first).toISOString(), String(Math.round(r.first)), cell(r.hop), r.sender, String(r.qos), r.id === undefined ? "" : String(r.id), cell(r.topic), r.state, r.latency === null ? "" : r.latency.toFixed(3), cell(r.steps.join(" ")), String(r.retransmissions), cell(r.anomalies.join("; "))].join(",");
}
