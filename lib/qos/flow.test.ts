import { describe, expect, it } from "vitest";
import { FlowTracker, FORGET_AFTER_STUCK, type TracePacket } from "./flow";
import type { PacketType, QoS, Side } from "../mqtt/packet";

const HOP = "device:arm-01";
let clock = 0;
const pkt = (type: PacketType, from: Side, extra: Partial<TracePacket> = {}): TracePacket => ({ hop: HOP, from, t: (clock += 10), type, id: 7, qos: 1, dup: false, ...extra });
/** Client publishes, server acknowledges: the device → broker hop. */
const RESPONDER: Record<PacketType, Side> = { publish: "client", puback: "server", pubrec: "server", pubrel: "client", pubcomp: "server" };
const LEGAL: Record<QoS, PacketType[]> = { 0: [], 1: ["puback"], 2: ["pubrec", "pubrel", "pubcomp"] };

function run(qos: QoS, acks: PacketType[]) {
  const t = new FlowTracker(1000);
  const first = t.apply(pkt("publish", "client", { qos, id: qos === 0 ? undefined : 7 }));
  const changes = acks.map((a) => t.apply(pkt(a, RESPONDER[a], { qos })));
  return { first, changes, flow: first.flow, tracker: t };
}

describe("FlowTracker: the three handshakes", () => {
  it("QoS 0 is one PUBLISH, complete at once", () => {
    const { flow } = run(0, []);
    expect(flow).toMatchObject({ state: "complete", qos: 0, id: null, latencyMs: 0, anomalies: [] });
  });

  it("QoS 1 is PUBLISH → PUBACK, with its latency", () => {
    clock = 0;
    const { flow } = run(1, ["puback"]);
    expect(flow.steps.map((s) => s.type)).toEqual(["publish", "puback"]);
    expect(flow).toMatchObject({ state: "complete", latencyMs: 10, anomalies: [] });
  });

  it("QoS 2 is PUBLISH → PUBREC → PUBREL → PUBCOMP", () => {
    clock = 0;
    const { flow } = run(2, ["pubrec", "pubrel", "pubcomp"]);
    expect(flow.steps.map((s) => `${s.type}:${s.from}`)).toEqual(["publish:client", "pubrec:server", "pubrel:client", "pubcomp:server"]);
    expect(flow).toMatchObject({ state: "complete", latencyMs: 30, anomalies: [] });
  });

  it("works the same with the broker as the sender (broker → subscriber hop)", () => {
    const t = new FlowTracker(1000);
    t.apply(pkt("publish", "server", { qos: 2, id: 3 }));
    t.apply(pkt("pubrec", "client", { qos: 2, id: 3 }));
    t.apply(pkt("pubrel", "server", { qos: 2, id: 3 }));
    const { flow } = t.apply(pkt("pubcomp", "client", { qos: 2, id: 3 }));
    expect(flow).toMatchObject({ sender: "server", state: "complete", anomalies: [] });
  });
});

describe("FlowTracker: every sequence of up to four acknowledgements", () => {
  const ACKS: PacketType[] = ["puback", "pubrec", "pubrel", "pubcomp"];
  const sequences: PacketType[][] = [[]];
  for (let len = 1; len <= 4; len++) for (const s of sequences.filter((x) => x.length === len - 1)) for (const a of ACKS) sequences.push([...s, a]);

  for (const qos of [1, 2] as const) {
    it(`QoS ${qos}: only the legal handshake completes cleanly; its prefixes wait; anything else is flagged`, () => {
      const legal = LEGAL[qos];
      for (const seq of sequences) {
        const { flow, changes } = run(qos, seq);
        const isLegal = seq.join() === legal.join();
        const isPrefix = seq.length < legal.length && legal.slice(0, seq.length).join() === seq.join();
        const label = `QoS ${qos} publish, ${seq.join(", ") || "nothing"}`;
        if (isLegal) expect(flow, label).toMatchObject({ state: "complete", anomalies: [] });
        else if (isPrefix) expect(flow, label).toMatchObject({ state: "in_flight", anomalies: [] });
        else {
          const flagged = flow.anomalies.length > 0 || changes.some((c) => c.orphan) || flow.retransmissions > 0;
          expect(flagged, label).toBe(true);
        }
      }
    });
  }
});

describe("FlowTracker: resends, reuse, loss and sessions", () => {
  it("counts a DUP PUBLISH as a retransmission of the same flow", () => {
    const t = new FlowTracker(1000);
    t.apply(pkt("publish", "client", { qos: 1 }));
    const { flow } = t.apply(pkt("publish", "client", { qos: 1, dup: true }));
    expect(flow.retransmissions).toBe(1);
    expect(t.apply(pkt("puback", "server")).flow).toBe(flow);
    expect(flow.state).toBe("complete");
  });

  it("takes a second PUBREC after a DUP PUBLISH as its answer, not as an error", () => {
    const t = new FlowTracker(1000);
    const steps = [["publish", "client", false], ["publish", "client", true], ["pubrec", "server", false], ["pubrec", "server", false], ["pubrel", "client", false], ["pubcomp", "server", false]] as const;
    const [first] = steps.map(([type, from, dup]) => t.apply(pkt(type, from, { qos: 2, dup })));
    expect(first!.flow).toMatchObject({ state: "complete", anomalies: [], retransmissions: 1 });
    expect(t.pending()).toEqual([]);
  });

  it("counts a PUBREL resent after a reconnect, and completes on PUBCOMP", () => {
    const t = new FlowTracker(1000);
    for (const [type, from] of [["publish", "client"], ["pubrec", "server"], ["pubrel", "client"], ["pubrel", "client"], ["pubcomp", "server"]] as const) t.apply(pkt(type, from, { qos: 2 }));
    expect(t.pending()).toEqual([]);
  });

  it("lets an id be used again once its flow completed", () => {
    const t = new FlowTracker(1000);
    const a = run(1, ["puback"]).tracker;
    const second = a.apply(pkt("publish", "client", { qos: 1 }));
    expect(second.flow.state).toBe("in_flight");
    expect(second.flow.anomalies).toEqual([]);
    expect(t.pending()).toEqual([]);
  });

  it("flags an id reused while its flow is in flight, and ends the old flow as stuck", () => {
    const t = new FlowTracker(1000);
    const old = t.apply(pkt("publish", "client", { qos: 1 })).flow;
    const fresh = t.apply(pkt("publish", "client", { qos: 1 })).flow;
    expect(old.state).toBe("stuck");
    expect(old.anomalies[0]).toMatch(/reused/);
    expect(fresh.state).toBe("in_flight");
  });

  it("keeps the two senders' packet ids apart on one hop", () => {
    const t = new FlowTracker(1000);
    const up = t.apply(pkt("publish", "client", { qos: 1, id: 1 })).flow;
    const down = t.apply(pkt("publish", "server", { qos: 1, id: 1 })).flow;
    t.apply(pkt("puback", "client", { id: 1 })); // acknowledges the server's
    expect(down.state).toBe("complete");
    expect(up.state).toBe("in_flight");
  });

  it("turns a flow with no answer into stuck after the timeout, and completes it if the answer comes late", () => {
    const t = new FlowTracker(500);
    const { flow } = t.apply(pkt("publish", "client", { qos: 1, t: 1000 }));
    expect(t.sweep(1400)).toEqual([]);
    expect(t.sweep(1500)).toEqual([flow]);
    expect(flow.state).toBe("stuck");
    t.apply(pkt("puback", "server", { t: 2000 }));
    expect(flow).toMatchObject({ state: "complete", latencyMs: 1000 });
  });

  it("forgets a stuck flow at last, so a client gone for good does not hold memory forever", () => {
    const t = new FlowTracker(100);
    t.apply(pkt("publish", "client", { qos: 1, t: 0 }));
    t.sweep(100);
    expect(t.pending()).toHaveLength(1);
    t.sweep(100 * FORGET_AFTER_STUCK);
    expect(t.pending()).toEqual([]);
  });

  it("reports an acknowledgement with no PUBLISH in flight as an orphan", () => {
    const t = new FlowTracker(1000);
    const change = t.apply(pkt("puback", "server", { id: 99 }));
    expect(change.orphan).toBe(true);
    expect(change.flow.anomalies[0]).toMatch(/no PUBLISH in flight/);
  });

  it("a clean session discards the hop's in-flight flows; a resumed one keeps them", () => {
    const t = new FlowTracker(1000);
    t.apply(pkt("publish", "client", { qos: 1, id: 1 }));
    expect(t.session(HOP, false, 50)).toEqual([]);
    expect(t.pending()).toHaveLength(1);
    t.apply({ ...pkt("publish", "client", { qos: 1, id: 2 }), hop: "other" });
    const dropped = t.session(HOP, true, 60);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.anomalies[0]).toMatch(/session discarded/);
    expect(t.pending().map((f) => f.hop)).toEqual(["other"]);
  });

  it("takes a PUBLISH on an open id after a resumed session as a resend, flagging a missing DUP", () => {
    const t = new FlowTracker(1000);
    const { flow } = t.apply(pkt("publish", "server", { qos: 1, id: 4 }));
    t.session(HOP, false, 100);
    expect(t.apply(pkt("publish", "server", { qos: 1, id: 4 })).flow).toBe(flow);
    expect(flow.retransmissions).toBe(1);
    expect(flow.anomalies).toEqual(["re-sent after the session resumed without DUP set [MQTT-3.3.1-1]"]);
    t.apply(pkt("puback", "client", { id: 4 }));
    expect(flow.state).toBe("complete");
  });

  it("flags DUP on QoS 0 and a QoS 1 PUBLISH without an id", () => {
    const t = new FlowTracker(1000);
    expect(t.apply(pkt("publish", "client", { qos: 0, id: undefined, dup: true })).flow.anomalies[0]).toMatch(/MQTT-3.3.1-2/);
    expect(t.apply(pkt("publish", "client", { qos: 1, id: undefined })).flow.anomalies[0]).toMatch(/without a packet id/);
  });
});
