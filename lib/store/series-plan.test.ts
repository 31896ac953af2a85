import { describe, expect, it } from "vitest";
import { HOUR_MS, MINUTE_MS, planSeries, rollup } from "./series-plan";

const DAY = 24 * HOUR_MS;

describe("planSeries", () => {
  it("reads raw samples for a short range", () => {
    expect(planSeries(0, 10 * MINUTE_MS, 1000)).toMatchObject({ source: "samples", bucketMs: 601 });
  });

  it("reads minute rollups when buckets are a minute or wider", () => {
    const p = planSeries(1_000_123, 1_000_123 + DAY, 1000);
    expect(p.source).toBe("rollup_minute");
    expect(p.bucketMs % MINUTE_MS).toBe(0);
    expect(p.origin % MINUTE_MS).toBe(0);
  });

  it("reads hour rollups for 30 days at 500 points", () => {
    expect(planSeries(0, 30 * DAY, 500)).toMatchObject({ source: "rollup_hour", bucketMs: 2 * HOUR_MS });
  });

  it.each([
    [5, 100_007, 1],
    [0, 30 * DAY, 1000],
    [123_456, 123_456 + 7 * DAY + 17, 333],
    [59_999, 59_999 + 3 * HOUR_MS, 60],
    [1, 1, 1],
  ])("never returns more than `points` buckets (from %i to %i, %i points)", (from, to, points) => {
    const p = planSeries(from, to, points);
    expect(Math.ceil((to - p.origin + 1) / p.bucketMs)).toBeLessThanOrEqual(points);
    expect(p.origin).toBeLessThanOrEqual(from);
  });
});

describe("rollup", () => {
  it("aggregates min, max, sum, count and the latest value per device, field and bucket", () => {
    const rows = rollup(
      [
        { ts: 1000, device: "a", field: "t", value: 5 },
        { ts: 3000, device: "a", field: "t", value: 2 },
        { ts: 2000, device: "a", field: "t", value: 9 },
        { ts: MINUTE_MS + 1, device: "a", field: "t", value: 1 },
        { ts: 1000, device: "b", field: "t", value: 7 },
      ],
      MINUTE_MS,
    );
    expect(rows).toEqual([
      { device: "a", field: "t", bucket: 0, min: 2, max: 9, sum: 16, count: 3, last: 2, lastTs: 3000 },
      { device: "a", field: "t", bucket: MINUTE_MS, min: 1, max: 1, sum: 1, count: 1, last: 1, lastTs: MINUTE_MS + 1 },
      { device: "b", field: "t", bucket: 0, min: 7, max: 7, sum: 7, count: 1, last: 7, lastTs: 1000 },
    ]);
  });
});
