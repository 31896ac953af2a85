import { describe, expect, it } from "vitest";
import { appendPoint, EMPTY_SERIES } from "../state/live-series";
import { sparklinePath, sparklineScale } from "./sparkline-path";

const series = (...points: [number, number][]) => points.reduce((s, [t, v]) => appendPoint(s, t, v, null), EMPTY_SERIES);
const path = (s: ReturnType<typeof series>, w: number, h: number, pad?: number) => {
  const out: [number, number][] = [];
  sparklinePath(s, w, h, (x, y) => out.push([x, y]), pad);
  return out;
};

describe("sparklinePath", () => {
  it("spans the width in time and the height (less padding) in value, higher values up", () => {
    expect(path(series([0, 0], [5, 10], [10, 5]), 100, 24, 2)).toEqual([[0, 22], [50, 2], [100, 12]]);
  });

  it("draws a flat series across the middle, and nothing for fewer than two points", () => {
    expect(path(series([0, 3], [1, 3]), 10, 20)).toEqual([[0, 10], [10, 10]]);
    expect(path(series([0, 3]), 10, 20)).toEqual([]);
  });
});

describe("sparklineScale", () => {
  it("stretches the value range to take in a threshold beyond the series, so the series sits below it", () => {
    const s = series([0, 0], [10, 10]);
    const scale = sparklineScale(s, 100, 24, [20], 2)!;
    expect(scale.y(20)).toBe(2);
    expect(scale.y(0)).toBe(22);
    expect(scale.y(10)).toBe(12);
    const out: [number, number][] = [];
    sparklinePath(s, 100, 24, (x, y) => out.push([x, y]), 2, [20]);
    expect(out).toEqual([[0, 22], [100, 12]]);
  });

  it("leaves the range alone for a level inside it, and has no scale for fewer than two points", () => {
    const s = series([0, 0], [10, 10]);
    expect(sparklineScale(s, 100, 24, [5], 2)!.y(10)).toBe(2);
    expect(sparklineScale(series([0, 3]), 10, 20, [5])).toBeNull();
  });
});
