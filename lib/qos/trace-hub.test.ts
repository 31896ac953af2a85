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
