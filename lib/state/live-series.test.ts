import { describe, expect, it } from "vitest";
import { appendPoint, EMPTY_SERIES, forEachPoint, LIVE_POINTS, seriesLength, toPoints, type LiveSeries } from "./live-series";

const fill = (s: LiveSeries, from: number, n: number) => {
  for (let i = from; i < from + n; i++) s = appendPoint(s, i, i * 10, i);
  return s;
};

describe("live series", () => {
  it("holds points oldest first, with their seq when they had one", () => {
    const s = appendPoint(appendPoint(EMPTY_SERIES, 10, 41.5, 1), 20, 42, null);
    expect(toPoints(s)).toEqual([{ t: 10, v: 41.5, seq: 1 }, { t: 20, v: 42 }]);
    expect(seriesLength(s)).toBe(2);
  });

  it("keeps the newest LIVE_POINTS, across many buffer copies", () => {
    const s = fill(EMPTY_SERIES, 0, LIVE_POINTS * 5 + 7);
    const points = toPoints(s);
    expect(points).toHaveLength(LIVE_POINTS);
    expect(points[0]!.t).toBe(LIVE_POINTS * 4 + 7);
    expect(points.at(-1)!.t).toBe(LIVE_POINTS * 5 + 6);
    expect(points.every((p, i) => i === 0 || p.t === points[i - 1]!.t + 1)).toBe(true);
  });

  it("never changes a series it returned, whether the newest one or an older one is appended to", () => {
    const base = fill(EMPTY_SERIES, 0, 50);
    const snapshot = toPoints(base);
    const newer = fill(base, 50, LIVE_POINTS * 2);
    // An older state appended to again (a second branch) must neither see nor overwrite the first.
    const branch = appendPoint(base, 999, -1, null);
    expect(toPoints(base)).toEqual(snapshot);
    expect(toPoints(branch).at(-1)).toEqual({ t: 999, v: -1 });
    expect(toPoints(branch).slice(0, -1)).toEqual(snapshot);
    expect(toPoints(newer).at(-1)!.t).toBe(50 + LIVE_POINTS * 2 - 1);
    expect(toPoints(newer)[0]!.t).toBe(50 + LIVE_POINTS);
  });

  it("walks times and values for readers that draw without allocating", () => {
    const seen: [number, number][] = [];
    forEachPoint(fill(EMPTY_SERIES, 1, 3), (t, v) => seen.push([t, v]));
    expect(seen).toEqual([[1, 10], [2, 20], [3, 30]]);
    forEachPoint(EMPTY_SERIES, () => seen.push([0, 0]));
    expect(seen).toHaveLength(3);
  });
});

describe("live series memory", () => {
  it("a series just begun holds a small buffer, grown as it fills, never past a bound", () => {
    const first = appendPoint(EMPTY_SERIES, 1, 1, null);
    expect(first.buffer.data.length).toBeLessThan(LIVE_POINTS);
    const sizes = new Set<number>();
    let s = first;
    for (let i = 0; i < LIVE_POINTS * 4; i++) sizes.add((s = appendPoint(s, i, i, null)).buffer.data.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2 * LIVE_POINTS * 3);
    expect(sizes.size).toBeGreaterThan(2);
  });
});

describe("live series copies", () => {
  it("series that start together and fill at one rate copy their buffers at different appends", () => {
    // A fleet appearing at once: had every series the same capacity, all would copy on the same append.
    const fleet = 200;
    let series: LiveSeries[] = Array.from({ length: fleet }, () => EMPTY_SERIES);
    let most = 0;
    for (let step = 0; step < LIVE_POINTS * 6; step++) {
      let copied = 0;
      series = series.map((s) => {
        const next = appendPoint(s, step, step, null);
        if (next.buffer !== s.buffer) copied++;
        return next;
      });
      if (step > 0) most = Math.max(most, copied);
    }
    expect(most).toBeLessThan(fleet / 4);
    expect(series.every((s) => seriesLength(s) === LIVE_POINTS && toPoints(s)[0]!.t === LIVE_POINTS * 5)).toBe(true);
  });
});
