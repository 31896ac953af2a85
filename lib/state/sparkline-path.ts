/**
 * A sparkline's polyline in a width × height box: time across, value up, the series' own range
 * filling the height. Pure; the overview draws it with one SVG element per card instead of a
 * charting library's tree of them, since dozens redraw on every frame of a busy stream.
 */
import type { Point } from "./live-devices";

export function sparklinePoints(points: readonly Point[], width: number, height: number, pad = 2): string {
  if (points.length < 2) return "";
  let t0 = Infinity;
  let t1 = -Infinity;
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    if (p.t < t0) t0 = p.t;
    if (p.t > t1) t1 = p.t;
    if (p.v < lo) lo = p.v;
    if (p.v > hi) hi = p.v;
  }
  const dt = t1 - t0 || 1;
  // A flat series sits in the middle rather than on an edge.
  const dv = hi - lo || 1;
  const mid = hi === lo ? height / 2 : null;
  const h = height - 2 * pad;
  let out = "";
  for (const p of points) {
    const x = ((p.t - t0) / dt) * width;
    const y = mid ?? pad + h - ((p.v - lo) / dv) * h;
    out += `${x.toFixed(1)},${y.toFixed(1)} `;
  }
  return out.trimEnd();
}
