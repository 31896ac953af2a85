import { describe, expect, it } from "vitest";
import { addLive, addStored, RECENT_LIVE, storedUntil } from "./recent";

const enc = new TextEncoder();
const live = (ts: number, topic = "t") => ({ topic, payload: enc.encode(String(ts)), qos: 0 as const, retain: false, ts });
const text = (m: { payload: { bytes: Uint8Array } }) => new TextDecoder().decode(m.payload.bytes);

describe("recent messages of a topic", () => {
  it("lists live messages of the topic only, newest first, bounded", () => {
    let list = addLive([], "t", [live(1), live(2, "other"), live(3)]);
    expect(list.map(text)).toEqual(["3", "1"]);
    const many = Array.from({ length: RECENT_LIVE + 20 }, (_, i) => live(10 + i));
    list = addLive(list, "t", many);
    expect(list).toHaveLength(RECENT_LIVE);
    expect(list[0]!.ts).toBe(10 + RECENT_LIVE + 19);
  });

  it("continues with stored messages older than the oldest listed, never overlapping", () => {
    const list = addLive([], "t", [live(100), live(101)]);
    expect(storedUntil(list, 999)).toBe(99);
    const stored = [
      { ts: 100, topic: "t", qos: 1, retain: false, payload: "dup", encoding: "utf8" },
      { ts: 50, topic: "t", qos: 1, retain: false, payload: "old", encoding: "utf8" },
      { ts: 60, topic: "t", qos: 2, retain: true, payload: "AAE=", encoding: "base64" },
    ];
    const merged = addStored(list, stored);
    expect(merged.map((m) => [m.ts, m.source])).toEqual([
      [101, "live"],
      [100, "live"],
      [60, "stored"],
      [50, "stored"],
    ]);
    expect(Array.from(merged[2]!.payload.bytes)).toEqual([0, 1]);
    // New live messages go in front of the live ones and keep the stored tail.
    expect(addLive(merged, "t", [live(102)]).map((m) => m.ts)).toEqual([102, 101, 100, 60, 50]);
  });

  it("drops the stored copy of a message seen live, stamped a little apart", () => {
    const list = addLive([], "t", [{ topic: "t", payload: enc.encode("v3"), qos: 1, retain: true, ts: 5000 }]);
    const merged = addStored(list, [
      { ts: 4200, topic: "t", qos: 1, retain: true, payload: "v3", encoding: "utf8" },
      { ts: 4100, topic: "t", qos: 1, retain: false, payload: "v2", encoding: "utf8" },
    ]);
    expect(merged.map(text)).toEqual(["v3", "v2"]);
  });

  it("drops the stored copy of a retained message the broker replays long after it was stored, and only that copy", () => {
    const list = addLive([], "t", [{ topic: "t", payload: enc.encode("v3"), qos: 1, retain: true, ts: 60_000 }]);
    const merged = addStored(list, [
      { ts: 1000, topic: "t", qos: 1, retain: false, payload: "v3", encoding: "utf8" },
      { ts: 900, topic: "t", qos: 1, retain: false, payload: "v2", encoding: "utf8" },
      { ts: 800, topic: "t", qos: 1, retain: false, payload: "v3", encoding: "utf8" },
    ]);
    expect(merged.map((m) => [text(m), m.source])).toEqual([["v3", "live"], ["v2", "stored"], ["v3", "stored"]]);
  });

  it("with nothing seen live, the store's newest come first", () => {
    expect(storedUntil([], 500)).toBe(500);
  });
});
