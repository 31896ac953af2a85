import { describe, expect, it } from "vitest";
import { forwardsTo, QOS0_BACKLOG_LIMIT, WS_WRITE_HIGH_WATER_MARK } from "./slow-readers";

describe("slow reader policy", () => {
  it("a reader that keeps up gets every QoS 0 message", () => {
    expect(forwardsTo(0, 0)).toBe(true);
    expect(forwardsTo(0, QOS0_BACKLOG_LIMIT - 1)).toBe(true);
  });

  it("a reader with a backlog at or over the limit loses QoS 0 messages", () => {
    expect(forwardsTo(0, QOS0_BACKLOG_LIMIT)).toBe(false);
    expect(forwardsTo(0, 10 * QOS0_BACKLOG_LIMIT)).toBe(false);
  });

  it("QoS 1 and 2 messages are never dropped, however far behind the reader is", () => {
    for (const qos of [1, 2] as const) {
      expect(forwardsTo(qos, QOS0_BACKLOG_LIMIT)).toBe(true);
      expect(forwardsTo(qos, Number.MAX_SAFE_INTEGER)).toBe(true);
    }
  });

  it("the limit can be set per call", () => {
    expect(forwardsTo(0, 100, 100)).toBe(false);
    expect(forwardsTo(0, 99, 100)).toBe(true);
  });

  it("dropping starts well before the stream's own back-pressure would hold up publishers", () => {
    expect(WS_WRITE_HIGH_WATER_MARK).toBeGreaterThan(QOS0_BACKLOG_LIMIT + 64 * 1024 + 16 * 1024);
  });
});
