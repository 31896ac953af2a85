import { describe, expect, it } from "vitest";
import { mergeHistoryAndLive, rangeFromParam } from "./history-merge";

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
