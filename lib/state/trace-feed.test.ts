import { describe, expect, it } from "vitest";
import { appendWindow, currentFlow, latestFlows, type TracedPacket } from "./trace-feed";

describe("appendWindow", () => {
  it("keeps the newest items up to the bound, in order", () => {
    expect(appendWindow([1, 2, 3], [4, 5], 4)).toEqual([2, 3, 4, 5]);
    expect(appendWindow([], [1, 2, 3, 4, 5, 6], 4)).toEqual([3, 4, 5, 6]);
    expect(appendWindow([1], [2], 4)).toEqual([1, 2]);
  });
});

describe("latestFlows", () => {
  it("keeps each flow's newest state", () => {
    const flow = (state: "in_flight" | "complete") => ({ key: "f", state, latencyMs: null, retransmissions: 0, anomalies: [] });
    const p = (state: "in_flight" | "complete") => ({ flow: flow(state) }) as unknown as TracedPacket;
    const first = p("in_flight");
    const latest = latestFlows([first, p("complete")]);
    expect(latest.get("f")!.state).toBe("complete");
    expect(currentFlow(first, latest)!.state).toBe("complete");
  });
});
