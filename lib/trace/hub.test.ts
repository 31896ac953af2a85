import { describe, expect, it } from "vitest";
import { MqttFramer } from "../mqtt/framer";
import { BUILT_IN_CONVENTIONS } from "../devices/builtin";
import { asEpochMs } from "../devices/model";
import { Interpreter } from "../devices/registry";
import { setSharedInterpreter } from "../devices/shared";
import { RECENT_PACKETS, TraceHub } from "./hub";

describe("TraceHub", () => {
  it("keeps the most recent packets, oldest first, bounded", () => {
    const hub = new TraceHub();
    const [ping] = new MqttFramer().push(new Uint8Array([0xc0, 0x00]));
    for (let i = 0; i < RECENT_PACKETS + 10; i++) hub.record("c", "client", ping!, i);
    const packets = hub.packets();
    expect(packets).toHaveLength(RECENT_PACKETS);
    expect(packets[0]!.t).toBe(10);
    expect(packets.at(-1)!.t).toBe(RECENT_PACKETS + 9);
    expect(packets[0]!.header).toBe("c000");
    hub.close();
  });
});

describe("TraceHub's recent packets", () => {
  it("each carry their flow as it was right after them, anomalies included, and the device the bridge's conventions read the topic as", () => {
    // The bridge in this process has read a message on the topic: its interpreter names the device.
    const bridgeReads = new Interpreter(BUILT_IN_CONVENTIONS);
    bridgeReads.read({ topic: "fleet/lab/arm-01/status", payload: new TextEncoder().encode("online"), text: "online", retain: false, qos: 1, ts: asEpochMs(1) });
    setSharedInterpreter(bridgeReads);
    const hub = new TraceHub();
    const gen = (bytes: number[]) => new MqttFramer().push(new Uint8Array(bytes))[0]!;
    hub.record("arm-01", "client", gen([0x32, 0x1c, 0x00, 0x17, ...Buffer.from("fleet/lab/arm-01/status"), 0x00, 0x05, 0x78]), 100);
    hub.record("arm-01", "server", gen([0x50, 0x02, 0x00, 0x05]), 102); // PUBREC in a QoS 1 flow
    hub.record("arm-01", "server", gen([0x40, 0x02, 0x00, 0x05]), 103);
    const [publish, pubrec, puback] = hub.packets();
    expect(publish).toMatchObject({ seq: 1, t: 100, hop: "arm-01", from: "client", type: "publish", qos: 1, dup: false, retain: false, id: 5, payloadBytes: 1, header: "321c", device: "arm-01", sampled: 1 });
    expect(publish!.flow).toMatchObject({ state: "in_flight", latencyMs: null, retransmissions: 0, anomalies: [] });
    // An acknowledgement carries no topic of its own: it is its flow's.
    expect(pubrec).toMatchObject({ type: "pubrec", topic: "fleet/lab/arm-01/status", device: "arm-01", flow: { key: publish!.flow!.key, state: "in_flight", anomalies: ["PUBREC in a QoS 1 flow"] } });
    expect(puback!.flow).toMatchObject({ state: "complete", latencyMs: 3, anomalies: ["PUBREC in a QoS 1 flow", "PUBACK where nothing was expected"] });
    hub.close();
    setSharedInterpreter(null);
  });
});

describe("TraceHub sampling", () => {
  it("past its budget keeps whole flows 1:N by packet id, and never leaves a kept flow without its acknowledgement", () => {
    const hub = new TraceHub(60_000, 100);
    const gen = (bytes: number[]) => new MqttFramer().push(new Uint8Array(bytes))[0]!;
    const publish = (id: number) => gen([0x32, 0x07, 0x00, 0x01, 0x74, id >> 8, id & 0xff, 0x68, 0x69]); // QoS 1, topic "t", payload "hi"
    const puback = (id: number) => gen([0x40, 0x02, id >> 8, id & 0xff]);
    // Second one: 400 packets. The first 100 (the budget) are recorded in full, then the sampling
    // tightens as the second goes on, and sets 1:4 for the next.
    const keptFirst: number[] = [];
    for (let id = 1; id <= 200; id++) {
      const recorded = hub.record("c", "client", publish(id), 0);
      if (recorded) keptFirst.push(id);
      expect(hub.record("c", "server", puback(id), 0), `ack ${id}`).toBe(recorded);
    }
    expect(keptFirst.slice(0, 50)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(keptFirst.length).toBeLessThan(200);
    const skippedFirst = hub.skipped;
    expect(skippedFirst).toBe(2 * (200 - keptFirst.length));
    const kept: number[] = [];
    for (let id = 201; id <= 400; id++) {
      const recorded = hub.record("c", "client", publish(id), 1000);
      if (recorded) kept.push(id);
      const acked = hub.record("c", "server", puback(id), 1000);
      expect(acked, `ack ${id}`).toBe(recorded);
      if (acked) expect(hub.packets().at(-1)).toMatchObject({ type: "puback", id, sampled: 4, flow: { state: "complete" } });
    }
    expect(kept.every((id) => id % 4 === 0)).toBe(true);
    expect(kept).toHaveLength(50);
    expect(hub.skipped - skippedFirst).toBe(300);
    expect(hub.pending()).toEqual([]);
    hub.close();
  });
});

describe("TraceHub retransmissions", () => {
  it("tells of each PUBLISH sent again with DUP, with its topic, and of no first sending", () => {
    const hub = new TraceHub();
    const gen = (bytes: number[]) => new MqttFramer().push(new Uint8Array(bytes))[0]!;
    const seen: (string | null)[] = [];
    hub.on("retransmitted", (p) => seen.push(p.topic));
    hub.record("c", "client", gen([0x32, 0x07, 0x00, 0x01, 0x74, 0x00, 0x09, 0x68, 0x69]), 0); // QoS 1 PUBLISH to "t"
    expect(seen).toEqual([]);
    hub.record("c", "client", gen([0x3a, 0x07, 0x00, 0x01, 0x74, 0x00, 0x09, 0x68, 0x69]), 10); // the same, DUP set
    expect(seen).toEqual(["t"]);
    hub.close();
  });
});
