import { describe, expect, it } from "vitest";
import { BatchRollups } from "./batch-rollups";
import { HOUR_MS, MINUTE_MS, rollup, type Sample } from "./series-plan";

const byKey = (rows: { device: string; field: string; bucket: number }[]) =>
  [...rows].sort((a, b) => `${a.device}/${a.field}/${a.bucket}`.localeCompare(`${b.device}/${b.field}/${b.bucket}`));

describe("BatchRollups", () => {
  it("gives the rows rollup() gives, per grain, across series, buckets, out-of-order and tied timestamps", () => {
    const t0 = 1_700_000_000_000;
    const samples: Sample[] = [];
    const series = [
      ["arm-1", "temp"],
      ["arm-1", "joints.0"],
      ["arm-2", "temp"],
    ] as const;
    // A deterministic spread over two hours, some samples late, some sharing a timestamp.
    for (let i = 0; i < 600; i++) {
      const [device, field] = series[i % 3]!;
      const ts = t0 + ((i * 7919) % 7_200_000) - (i % 11 === 0 ? 90_000 : 0);
      samples.push({ ts, device, field, value: ((i * 37) % 101) - 50 + i / 8 });
      if (i % 13 === 0) samples.push({ ts, device, field, value: -i });
    }
    const grains = [MINUTE_MS, HOUR_MS];
    const ids = new Map(series.map(([d, f], k) => [`${d}/${f}`, k + 1]));
    const batch = new BatchRollups(grains);
    for (const s of samples) batch.add(ids.get(`${s.device}/${s.field}`)!, s.device, s.field, s.ts, s.value);
    grains.forEach((grain, g) => expect(byKey(batch.rows(g))).toEqual(byKey(rollup(samples, grain))));
  });

  it("has no rows for an empty batch", () => {
    expect(new BatchRollups([MINUTE_MS]).rows(0)).toEqual([]);
  });
});
