/**
 * A batch's rollup rows, built as its samples are written: one pass, keyed by the store's own
 * series key (a number in SQLite) and the bucket, so no string key is made per sample. The rows
 * equal `rollup(samples, grain)` for each grain (series-plan.ts), which stays the reference.
 */
import type { RollupRow } from "./series-plan";

interface SeriesBuckets {
  device: string;
  field: string;
  /** One map per grain: bucket start → its aggregate so far. */
  byGrain: Map<number, RollupRow>[];
}

export class BatchRollups {
  private readonly series = new Map<number, SeriesBuckets>();

  constructor(private readonly grains: readonly number[]) {}

  add(series: number, device: string, field: string, ts: number, value: number): void {
    let s = this.series.get(series);
    if (!s) {
      s = { device, field, byGrain: this.grains.map(() => new Map()) };
      this.series.set(series, s);
    }
    for (let g = 0; g < this.grains.length; g++) {
      const grain = this.grains[g]!;
      const bucket = Math.floor(ts / grain) * grain;
      const buckets = s.byGrain[g]!;
      const r = buckets.get(bucket);
      if (!r) {
        buckets.set(bucket, { device, field, bucket, min: value, max: value, sum: value, count: 1, last: value, lastTs: ts });
        continue;
      }
      if (value < r.min) r.min = value;
      if (value > r.max) r.max = value;
      r.sum += value;
      r.count++;
      // Ties go to the later sample, as in rollup().
      if (ts >= r.lastTs) {
        r.last = value;
        r.lastTs = ts;
      }
    }
  }

  /** The rows of the grain at `index` in the constructor's list. */
  rows(index: number): RollupRow[] {
    const out: RollupRow[] = [];
    for (const s of this.series.values()) for (const r of s.byGrain[index]!.values()) out.push(r);
    return out;
  }
}
