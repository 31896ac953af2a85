/**
 * A sparkline's path in a width × height box: time across, value up, the series' own range
 * filling the height. Pure; the overview draws it on a canvas per card (components/Sparkline.tsx)
 * as it goes, with no string or object per point: dozens of cards redraw on every frame of a busy
 * stream, and building an SVG `points` string per redraw was a quarter of the heaviest frames'
 * script and most of their garbage.
 */
import { forEachPoint, seriesLength, type LiveSeries } from "../state/live-series";

/** Where a time and a value go in the box (y grows downwards, as on a canvas). */
export interface SparklineScale {
  x(t: number): number;
  y(v: number): number;
}

/**
 * The box's scale for `series`, its value range stretched to take in `levels` too (an alert
 * rule's threshold and clear values: where the series stands against them is the point of
 * drawing them); null for fewer than two points.
 */
export function sparklineScale(series: LiveSeries, width: number, height: number, levels: readonly number[] = [], pad = 2): SparklineScale | null {
  if (seriesLength(series) < 2) return null;
  let t0 = Infinity;
  let t1 = -Infinity;
  let lo = Infinity;
  let hi = -Infinity;
  forEachPoint(series, (t, v) => {
    if (t < t0) t0 = t;
    if (t > t1) t1 = t;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  });
  for (const v of levels) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const dt = t1 - t0 || 1;
  // A flat series sits in the middle rather than on an edge.
  const dv = hi - lo || 1;
  const mid = hi === lo ? height / 2 : null;
  const h = height - 2 * pad;
  return { x: (t) => ((t - t0) / dt) * width, y: (v) => mid ?? pad + h - ((v - lo) / dv) * h };
}

/** Calls `to(x, y)` for each point, oldest first; nothing for fewer than two points. */
export function sparklinePath(series: LiveSeries, width: number, height: number, to: (x: number, y: number) => void, pad = 2, levels: readonly number[] = []): void {
  const scale = sparklineScale(series, width, height, levels, pad);
  if (scale) forEachPoint(series, (t, v) => to(scale.x(t), scale.y(v)));
}
