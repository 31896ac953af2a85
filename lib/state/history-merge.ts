/**
 * One chart series from two sources: aggregated history from the store (GET /api/series) up to
 * the instant it was asked for, and the live tail from MQTT after it. Pure: ordered by time, one
 * point per instant, nothing before the window, and no point from both sides of the join.
 */
import type { SeriesPoint } from "../store/series-plan";
import type { Point } from "./live-series";

/** One bucket of GET /api/series. */
export type HistoryBucket = SeriesPoint;

export interface ChartPoint {
  t: number;
  v: number;
  /** [min, max] of a bucket that aggregates several samples; drawn as a band. */
  band?: [number, number];
}

/**
 * A live point carrying the `seq` and value of one already taken, this close in time, is the same
 * message delivered twice (a QoS 1 redelivery, or a message seen before and after a reconnect).
 * A device that restarts counts from 1 again, so an old seq far away in time is a new message.
 */
export const DUPLICATE_WINDOW_MS = 60_000;

export function mergeHistoryAndLive(
  history: readonly HistoryBucket[],
  historyTo: number,
  live: readonly Point[],
  windowStart: number,
  windowEnd = Number.POSITIVE_INFINITY,
): ChartPoint[] {
  const out: ChartPoint[] = [];
  for (const b of history) {
    if (b.t < windowStart || b.t > historyTo || b.t > windowEnd) continue;
    out.push(b.count > 1 ? { t: b.t, v: b.avg, band: [b.min, b.max] } : { t: b.t, v: b.avg });
  }
  out.sort((a, b) => a.t - b.t);
  // Live points the history already holds (received before it was asked for) are dropped.
  const tail = live.filter((p) => p.t > historyTo && p.t >= windowStart && p.t <= windowEnd).sort((a, b) => a.t - b.t);
  const taken = new Map<number, Point>();
  for (const p of tail) {
    if (p.seq !== undefined) {
      const first = taken.get(p.seq);
      if (first && first.v === p.v && p.t - first.t < DUPLICATE_WINDOW_MS) continue;
      taken.set(p.seq, p);
    }
    const prev = out[out.length - 1];
    if (prev && prev.t === p.t) out[out.length - 1] = { t: p.t, v: p.v };
    else out.push({ t: p.t, v: p.v });
  }
  return out;
}

export const RANGES = [
  { key: "5m", label: "5 min", ms: 5 * 60_000 },
  { key: "1h", label: "1 h", ms: 3_600_000 },
  { key: "24h", label: "24 h", ms: 24 * 3_600_000 },
  { key: "7d", label: "7 d", ms: 7 * 24 * 3_600_000 },
  { key: "30d", label: "30 d", ms: 30 * 24 * 3_600_000 },
] as const;

export type RangeKey = (typeof RANGES)[number]["key"];

export function rangeFromParam(param: string | null): (typeof RANGES)[number] {
  return RANGES.find((r) => r.key === param) ?? RANGES[0];
}
