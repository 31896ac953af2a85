/**
 * A sparkline's polyline in a width × height box: time across, value up, the series' own range
 * filling the height. Pure; the overview draws it with one SVG element per card instead of a
 * charting library's tree of them, since dozens redraw on every frame of a busy stream.
 */
import { forEachPoint, seriesLength, type LiveSeries } from "./live-series";

export function sparklinePoints(series: LiveSeries, width: number, height: number, pad = 2): string {
  if (seriesLength(series) < 2) return "";
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
  let out = "";
  forEachPoint(series, (t, v) => {
    const x = ((t - t0) / dt) * width;
    const y = mid ?? pad + h - ((v - lo) / dv) * h;
    out += `${x.toFixed(1)},${y.toFixed(1)} `;
  });
  return out.trimEnd();
}
