/**
 * The copy the broker takes of its own file (SqlitePersistence.backup, which `npm run backup` asks
 * for): SQLite's online backup in steps on the broker's own connection, while the broker goes on
 * committing between the steps. What it commits meanwhile must be in the copy, whole transactions
 * only, and the copy must never start over.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, expect, it } from "vitest";
import { SqlitePersistence } from "../broker/persistence/sqlite-persistence";
import { databaseProblem } from "./sqlite-files";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-broker-copy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const retained = (topic: string, fill: number) => ({ cmd: "publish", topic, payload: Buffer.alloc(2048, fill), qos: 1, retain: true });

it("holds every pair of retained messages the broker committed while it copied, both of each pair or neither", async () => {
  const file = join(dir, "broker.db");
  const p = new SqlitePersistence({ file });
  await p.setup({ id: "broker-1" });
  // Some 6 MB: the copy takes several steps of 100 pages, with the broker's turns between them.
  await Promise.all(Array.from({ length: 3000 }, (_, i) => p.storeRetained(retained(`fleet/lab/d-${i}/status`, i % 256))));

  let copied = false;
  let committedBefore = 0;
  let issued = 0;
  const copying = p.backup(join(dir, "copy.db")).then(() => {
    copied = true;
  });
  // One transaction a turn (group commit), each storing a pair.
  while (!copied) {
    const k = issued++;
    await Promise.all([p.storeRetained(retained(`fleet/lab/a-${k}/status`, 1)), p.storeRetained(retained(`fleet/lab/b-${k}/status`, 2))]);
    if (!copied) committedBefore = k + 1;
  }
  await copying;
  await p.destroy();

  expect(databaseProblem(join(dir, "copy.db"), "retained")).toBeNull();
  const copy = new Database(join(dir, "copy.db"), { readonly: true });
  const topics = (copy.prepare("SELECT topic FROM retained").all() as { topic: string }[]).map((r) => r.topic);
  copy.close();
  const pairs = (side: string) => topics.filter((t) => t.startsWith(`fleet/lab/${side}-`)).length;
  expect(topics.filter((t) => t.startsWith("fleet/lab/d-"))).toHaveLength(3000);
  // Written during the copy: more than one step's worth of turns went by.
  expect(committedBefore).toBeGreaterThan(1);
  expect(pairs("a")).toBe(pairs("b"));
  expect(pairs("a")).toBeGreaterThanOrEqual(committedBefore);
  expect(pairs("a")).toBeLessThanOrEqual(issued);
});
