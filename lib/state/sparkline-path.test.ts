import { describe, expect, it } from "vitest";
import { appendPoint, EMPTY_SERIES } from "./live-series";
import { sparklinePoints } from "./sparkline-path";

const series = (...points: [number, number][]) => points.reduce((s, [t, v]) => appendPoint(s, t, v, null), EMPTY_SERIES);

describe("sparklinePoints", () => {
  it("spans the width in time and the height (less padding) in value, higher values up", () => {
    expect(sparklinePoints(series([0, 0], [5, 10], [10, 5]), 100, 24, 2)).toBe("0.0,22.0 50.0,2.0 100.0,12.0");
  });

  it("draws a flat series across the middle, and nothing for fewer than two points", () => {
    expect(sparklinePoints(series([0, 3], [1, 3]), 10, 20)).toBe("0.0,10.0 10.0,10.0");
    expect(sparklinePoints(series([0, 3]), 10, 20)).toBe("");
  });
});
