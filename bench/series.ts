/**
 * Series: 30 days of 1 Hz samples for one field (2.6 M rows) returned as 1,000 points by the
 * store's SQL (minute rollups here), against reading the raw rows and bucketing them in JS.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { asDeviceId, asEpochMs } from "../lib/devices/model";
import { SqliteStore } from "../lib/store/sqlite/store";
import type { MessageRow } from "../lib/store/types";
import { median } from "./median";
import type { BenchResult } from "./run";

const DAYS = Number(process.env.BENCH_SERIES_DAYS ?? 30);
const ROWS = Math.round(DAYS * 86_400);
const POINTS = 1000;
const BATCH = 50_000;

export async function benchSeries(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-bench-series-"));
  const path = join(dir, "series.db");
  const store = new SqliteStore(path);
  const device = asDeviceId("arm-01");
  const start = Date.UTC(2026, 0, 1);
  const payload = Buffer.from("{}");
  const t0 = performance.now();
  for (let i = 0; i < ROWS; i += BATCH) {
    const messages: MessageRow[] = [];
    for (let k = i; k < Math.min(ROWS, i + BATCH); k++) {
      const value = 40 + 10 * Math.sin(k / 3600) + (k % 7) / 10;
      messages.push({ ts: asEpochMs(start + k * 1000), topic: "fleet/a/arm-01/telemetry", device, qos: 0, retain: false, dup: false, seq: null, payload, truncated: false, ident: null, fields: { temp: value } });
    }
    await store.append({ messages, devices: [] });
  }
  const loadS = (performance.now() - t0) / 1000;
  const from = asEpochMs(start);
  const to = asEpochMs(start + ROWS * 1000 - 1);

  const sqlTimes: number[] = [];
  let points = 0;
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    points = (await store.querySeries({ device, field: "temp", from, to, points: POINTS })).points.length;
    sqlTimes.push(performance.now() - t);
  }

  // The reference: every raw row into JS, bucketed there (what the store must never do).
  const raw = new Database(path, { readonly: true });
  const select = raw.prepare<[string, string, number, number], { ts: number; value: number }>("SELECT ts, value FROM points WHERE series = (SELECT id FROM series WHERE device = ? AND field = ?) AND ts BETWEEN ? AND ?");
  const jsTimes: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    const bucketMs = Math.ceil((to - from + 1) / POINTS);
    const buckets = new Map<number, { min: number; max: number; sum: number; n: number; last: number }>();
    for (const row of select.iterate(device, "temp", from, to)) {
      const b = Math.floor((row.ts - from) / bucketMs);
      const x = buckets.get(b);
      if (!x) buckets.set(b, { min: row.value, max: row.value, sum: row.value, n: 1, last: row.value });
      else {
        x.min = Math.min(x.min, row.value);
        x.max = Math.max(x.max, row.value);
        x.sum += row.value;
        x.n++;
        x.last = row.value;
      }
    }
    jsTimes.push(performance.now() - t);
  }
  raw.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  const sql = median(sqlTimes);
  const js = median(jsTimes);
  return [
    {
      name: `series, ${(ROWS / 1e6).toFixed(1)} M samples over ${DAYS} days → ${points} points (SQLite; loaded at ${Math.round(ROWS / loadS)} samples/s)`,
      value: sql,
      unit: "ms",
      reference: js,
      referenceName: "raw rows bucketed in JS",
      lowerIsBetter: true,
    },
  ];
}
