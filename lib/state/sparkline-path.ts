/**
 * A sparkline's path in a width × height box: time across, value up, the series' own range
 * filling the height. Pure; the overview draws it on a canvas per card (components/Sparkline.tsx)
 * as it goes, with no string or object per point: dozens of cards redraw on every frame of a busy
 * stream, and building an SVG `points` string per redraw was a quarter of the heaviest frames'
 * script and most of their garbage.
 */
import { forEachPoint, seriesLength, type LiveSeries } from "./live-series";

/** Calls `to(x, y)` for each point, oldest first (y grows downwards, as on a canvas); nothing for fewer than two points. */
export function sparklinePath(series: LiveSeries, width: number, height: number, to: (x: number, y: number) => void, pad = 2): void {
  if (seriesLength(series) < 2) return;
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
  const dt = t1 - t0 || 1;
  // A flat series sits in the middle rather than on an edge.
  const dv = hi - lo || 1;
  const mid = hi === lo ? height / 2 : null;
  const h = height - 2 * pad;
  forEachPoint(series, (t, v) => to(((t - t0) / dt) * width, mid ?? pad + h - ((v - lo) / dv) * h));
}
