import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { asDeviceId, asEpochMs } from "../../lib/devices/model";
import { Retention } from "../../lib/store/retention";
import { SqliteStore } from "../../lib/store/sqlite/store";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-retention-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("drops everything older than the retention days, in chunks, and keeps the rest", async () => {
  const store = new SqliteStore(join(dir, "r.db"));
  const DAY = 24 * 3_600_000;
  const now = 100 * DAY;
  const row = (ts: number, seq: number) => ({
    ts: asEpochMs(ts), topic: "fleet/lab/r1/telemetry", device: asDeviceId("r1"), qos: 1 as const, retain: false, dup: false,
    seq, payload: Buffer.from(`{"seq":${seq}}`), truncated: false, ident: BigInt(seq), fields: { temp: seq },
  });
  // 12,000 rows from 40 days ago (more than two chunks), 10 from yesterday.
  const old = Array.from({ length: 12_000 }, (_, i) => row(now - 40 * DAY + i, i + 1));
  await store.append({ messages: old, devices: [] });
  await store.append({ messages: Array.from({ length: 10 }, (_, i) => row(now - DAY + i, 20_000 + i)), devices: [] });
  const retention = new Retention(store, 30, () => now);
  const deleted = await retention.runOnce();
  expect(deleted).toBeGreaterThanOrEqual(24_000); // messages and samples, plus their rollups
  expect((await store.queryMessages({ limit: 100 })).messages).toHaveLength(10);
  expect(await retention.runOnce()).toBe(0);
  await store.close();
});
