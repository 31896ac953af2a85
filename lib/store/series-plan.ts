/**
 * How a series request is answered: which table to read (raw samples, minute or hour rollups)
 * and how wide each returned bucket is. Pure, so the choice is unit-tested; the stores only run it.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const MAX_SERIES_POINTS = 5000;

export type SeriesSource = "samples" | "rollup_minute" | "rollup_hour";

export interface SeriesPlan {
  source: SeriesSource;
  /** Width of one returned bucket; a multiple of the source's own bucket. */
  bucketMs: number;
  /** Buckets are counted from here: `from` rounded down to the source's granularity. */
  origin: number;
}

/**
 * At most `points` buckets cover [from, to]. A range whose buckets are a minute or wider reads
 * minute rollups, an hour or wider hour rollups, so a 30-day chart never touches raw rows.
 */
export function planSeries(from: number, to: number, points: number): SeriesPlan {
  const span = to - from + 1;
  let bucketMs = Math.max(1, Math.ceil(span / points));
  let source: SeriesSource = "samples";
  let grain = 1;
  if (bucketMs >= HOUR_MS) {
    source = "rollup_hour";
    grain = HOUR_MS;
  } else if (bucketMs >= MINUTE_MS) {
    source = "rollup_minute";
    grain = MINUTE_MS;
  }
  const origin = Math.floor(from / grain) * grain;
  bucketMs = Math.ceil(bucketMs / grain) * grain;
  // Rounding `from` down widens the span; widen buckets until `points` still covers it.
  while (Math.ceil((to - origin + 1) / bucketMs) > points) bucketMs += grain;
  return { source, bucketMs, origin };
}

/** One returned bucket; `t` is its start. */
export interface SeriesPoint {
  t: number;
  min: number;
  max: number;
  avg: number;
  last: number;
  count: number;
}

/** A rollup row: the aggregate of one field of one device over one minute or hour. */
export interface RollupRow {
  device: string;
  field: string;
  bucket: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
  lastTs: number;
}

export interface Sample {
  ts: number;
  device: string;
  field: string;
  value: number;
}

/** Folds a batch of samples into rollup rows of `grainMs`, one per (device, field, bucket). */
export function rollup(samples: readonly Sample[], grainMs: number): RollupRow[] {
  const rows = new Map<string, RollupRow>();
  for (const s of samples) {
    const bucket = Math.floor(s.ts / grainMs) * grainMs;
    const key = `${s.device}\u0000${s.field}\u0000${bucket}`;
    const r = rows.get(key);
    if (!r) {
      rows.set(key, { device: s.device, field: s.field, bucket, min: s.value, max: s.value, sum: s.value, count: 1, last: s.value, lastTs: s.ts });
      continue;
    }
    if (s.value < r.min) r.min = s.value;
    if (s.value > r.max) r.max = s.value;
    r.sum += s.value;
    r.count++;
    if (s.ts >= r.lastTs) {
      r.last = s.value;
      r.lastTs = s.ts;
    }
  }
  return [...rows.values()];
}
