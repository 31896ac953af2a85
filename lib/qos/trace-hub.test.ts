import { describe, expect, it } from "vitest";
import { MqttFramer } from "../mqtt/framer";
import { RECENT_PACKETS, TraceHub } from "./trace-hub";

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

describe("TraceHub sampling", () => {
  it("past its budget keeps whole flows 1:N by packet id, and never leaves a kept flow without its acknowledgement", () => {
    const hub = new TraceHub(60_000, 100);
    const gen = (bytes: number[]) => new MqttFramer().push(new Uint8Array(bytes))[0]!;
    const publish = (id: number) => gen([0x32, 0x07, 0x00, 0x01, 0x74, id >> 8, id & 0xff, 0x68, 0x69]); // QoS 1, topic "t", payload "hi"
    const puback = (id: number) => gen([0x40, 0x02, id >> 8, id & 0xff]);
    // Second one: 400 packets, recorded in full, sets a 1:4 sampling for the next.
    for (let id = 1; id <= 200; id++) {
      hub.record("c", "client", publish(id), 0);
      hub.record("c", "server", puback(id), 0);
    }
    expect(hub.skipped).toBe(0);
    const kept: number[] = [];
    for (let id = 201; id <= 400; id++) {
      const e = hub.record("c", "client", publish(id), 1000);
      if (e) kept.push(id);
      const ack = hub.record("c", "server", puback(id), 1000);
      expect(ack !== null, `ack ${id}`).toBe(e !== null);
      if (ack) expect(ack).toMatchObject({ sampled: 4, flow: { state: "complete" } });
    }
    expect(kept.every((id) => id % 4 === 0)).toBe(true);
    expect(kept).toHaveLength(50);
    expect(hub.skipped).toBe(300);
    expect(hub.pending()).toEqual([]);
    hub.close();
  });
});
