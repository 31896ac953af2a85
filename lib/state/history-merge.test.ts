import { describe, expect, it } from "vitest";
import { DUPLICATE_WINDOW_MS, mergeHistoryAndLive, rangeFromParam } from "./history-merge";

const bucket = (t: number, avg: number, count = 1) => ({ t, min: avg - 1, max: avg + 1, avg, last: avg, count });

describe("mergeHistoryAndLive", () => {
  it("joins history up to its end with the live tail after it, with no point from both", () => {
    const merged = mergeHistoryAndLive([bucket(10, 1), bucket(20, 2)], 25, [{ t: 22, v: 99 }, { t: 30, v: 3 }, { t: 40, v: 4 }], 0);
    expect(merged).toEqual([{ t: 10, v: 1 }, { t: 20, v: 2 }, { t: 30, v: 3 }, { t: 40, v: 4 }]);
  });

  it("draws a band for buckets that aggregate several samples", () => {
    expect(mergeHistoryAndLive([bucket(10, 5, 3)], 20, [], 0)).toEqual([{ t: 10, v: 5, band: [4, 6] }]);
  });

  it("orders out-of-order input and keeps one point per instant", () => {
    const merged = mergeHistoryAndLive([bucket(20, 2), bucket(10, 1)], 20, [{ t: 40, v: 4 }, { t: 30, v: 3 }, { t: 30, v: 3.5 }], 0);
    expect(merged.map((p) => [p.t, p.v])).toEqual([[10, 1], [20, 2], [30, 3.5], [40, 4]]);
  });

  it("drops what is before the window, on both sides", () => {
    const merged = mergeHistoryAndLive([bucket(10, 1), bucket(20, 2)], 20, [{ t: 25, v: 3 }], 15);
    expect(merged.map((p) => p.t)).toEqual([20, 25]);
  });

  it("drops what is after the end of a fixed window", () => {
    const merged = mergeHistoryAndLive([bucket(10, 1), bucket(20, 2)], 20, [{ t: 25, v: 3 }, { t: 35, v: 4 }], 0, 30);
    expect(merged.map((p) => p.t)).toEqual([10, 20, 25]);
  });

  it("keeps one copy of a message delivered twice, recognised by its seq", () => {
    const live = [{ t: 30, v: 3, seq: 7 }, { t: 31, v: 4, seq: 8 }, { t: 33, v: 3, seq: 7 }, { t: 34, v: 5, seq: 9 }];
    expect(mergeHistoryAndLive([bucket(10, 1)], 20, live, 0).map((p) => [p.t, p.v])).toEqual([[10, 1], [30, 3], [31, 4], [34, 5]]);
  });

  it("de-duplicates a redelivery that arrives out of order, before the first copy in the buffer", () => {
    const live = [{ t: 50, v: 2, seq: 2 }, { t: 40, v: 1, seq: 1 }, { t: 45, v: 1, seq: 1 }];
    expect(mergeHistoryAndLive([], 0, live, 0).map((p) => [p.t, p.v])).toEqual([[40, 1], [50, 2]]);
  });

  it("keeps a repeated seq that is a new message: another value, or a restarted device long after", () => {
    const live = [{ t: 100, v: 1, seq: 1 }, { t: 200, v: 9, seq: 1 }, { t: 100 + DUPLICATE_WINDOW_MS + 1, v: 1, seq: 1 }];
    expect(mergeHistoryAndLive([], 0, live, 0)).toHaveLength(3);
  });

  it("joins overlapping history and live with no point from both, a duplicate across the join included", () => {
    // History was asked for at t=25: live points up to 25 are in its buckets already.
    const live = [{ t: 18, v: 2, seq: 4 }, { t: 24, v: 2.5, seq: 5 }, { t: 26, v: 3, seq: 6 }, { t: 27, v: 3, seq: 6 }];
    const merged = mergeHistoryAndLive([bucket(10, 1, 2), bucket(20, 2, 2)], 25, live, 0);
    expect(merged.map((p) => p.t)).toEqual([10, 20, 26]);
  });

  it("leaves a real gap as a gap: nothing is invented between history and live", () => {
    const merged = mergeHistoryAndLive([bucket(10, 1)], 10, [{ t: 100, v: 2 }], 0);
    expect(merged).toHaveLength(2);
  });
});

describe("rangeFromParam", () => {
  it("reads a known range and falls back to the live 5 minutes", () => {
    expect(rangeFromParam("24h").ms).toBe(86_400_000);
    expect(rangeFromParam("bogus").key).toBe("5m");
    expect(rangeFromParam(null).key).toBe("5m");
  });
});
