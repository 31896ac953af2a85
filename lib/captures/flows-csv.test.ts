import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../mqtt/packet";
import { FLOWS_CSV_HEADER, FlowRows } from "./flows-csv";

const ev = (e: Partial<TraceEvent> & Pick<TraceEvent, "type" | "from" | "t">): TraceEvent => ({ seq: 0, hop: "arm-01", qos: 2, dup: false, retain: false, remainingLength: 2, header: "", sampled: 1, ...e });

describe("a capture's flows as CSV", () => {
  it("gives one row per handshake as its last packet left it, device text made safe for spreadsheets", () => {
    const f = new FlowRows();
    const out: string[] = [];
    const flow = (state: "in_flight" | "complete", latencyMs: number | null) => ({ key: "k1", state, latencyMs, retransmissions: 0, anomalies: [] });
    const take = (e: TraceEvent) => {
      const row = f.add(e);
      if (row) out.push(row);
    };
    take(ev({ type: "publish", from: "client", t: 1000, id: 7, topic: "=cmd|calc", flow: flow("in_flight", null) }));
    take(ev({ type: "pubrec", from: "server", t: 1001, id: 7, flow: flow("in_flight", null) }));
    take(ev({ type: "pubrel", from: "client", t: 1002, id: 7, flow: flow("in_flight", null) }));
    expect(out).toEqual([]);
    take(ev({ type: "pubcomp", from: "server", t: 1003.5, id: 7, flow: flow("complete", 3.5) }));
    take(ev({ type: "connect", from: "client", t: 999 }));
    take(ev({ type: "publish", from: "client", t: 2000, id: 8, qos: 1, topic: "a/b", flow: { key: "k2", state: "stuck", latencyMs: null, retransmissions: 0, anomalies: ["no PUBACK"] } }));
    expect(FLOWS_CSV_HEADER.split(",")).toHaveLength(12);
    expect(out).toEqual(["1970-01-01T00:00:01.000Z,1000,arm-01,client,2,7,'=cmd|calc,complete,3.500,PUBLISH PUBREC PUBREL PUBCOMP,0,"]);
    expect(f.rest()).toEqual(["1970-01-01T00:00:02.000Z,2000,arm-01,client,1,8,a/b,stuck,,PUBLISH,0,no PUBACK"]);
  });
});
