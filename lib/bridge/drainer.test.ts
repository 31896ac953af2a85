/**
 * The drainer against a real spool and a real SQLite store, each in a temp file: batches, their
 * order, spool rows released only once their batch committed, and the retry after a store failure.
 */
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BUILT_IN_CONVENTIONS } from "../devices/builtin";
import { asEpochMs, type EpochMs } from "../devices/model";
import { Interpreter } from "../devices/registry";
import type { Store } from "../store/types";
import { SqliteStore } from "../store/sqlite/store";
import { decodeMessage, type Received } from "./decode";
import { Drainer } from "./drainer";
import { Spool } from "./spool";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-drainer-"));
/** One store for the file (its writer thread takes a moment to boot); each test its own topics. */
let store: SqliteStore;
beforeAll(async () => {
  store = new SqliteStore(join(dir, "store.db"));
  await store.append({ messages: [], devices: [] });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});
let n = 0;
/** The test's topic prefix. */
let t = "";
const spools: Spool[] = [];
afterEach(() => {
  for (const spool of spools.splice(0)) spool.close();
});

const interpreter = new Interpreter(BUILT_IN_CONVENTIONS);
const decode = (m: Received, ts: EpochMs) => decodeMessage(m, ts, interpreter);
const received = (i: number, qos: 0 | 1 | 2 = 1): Received => ({ topic: `${t}/m${i}`, payload: Buffer.from(JSON.stringify({ seq: i })), qos, retain: false, dup: false });
const spoolRows = (spool: Spool, from: number, count: number) => {
  for (let i = from; i < from + count; i++) spool.put(i, `${t}/m${i}`, 1, false, false, received(i).payload);
};

function setUp(o: { maxBatch?: number; store?: (real: SqliteStore) => Pick<Store, "append">; spoolPath?: string } = {}) {
  const spool = new Spool(o.spoolPath ?? join(dir, `spool-${n++}.db`));
  spools.push(spool);
  const health = { lastError: null as string | null };
  const drainer = new Drainer({ store: o.store?.(store) ?? store, spool, decode, flushIntervalMs: 5, maxBatch: o.maxBatch ?? 100, health });
  const committed: number[] = [];
  drainer.on("committed", (count) => committed.push(count));
  return { spool, drainer, health, committed };
}

/** The test's messages in the store, oldest first, by topic. */
const stored = async () => (await store.queryMessages({ topic: `${t}/#`, limit: 1000, order: "asc" })).messages.map((m) => m.topic.slice(t.length + 1));

describe("the bridge's drainer", () => {
  beforeEach(() => {
    t = `t${n++}`;
  });

  it("spooled and in-memory messages reach the store together, and the spool forgets them only once the batch has committed", async () => {
    const { spool, drainer, health, committed } = setUp();
    spoolRows(spool, 1, 3);
    drainer.add(decode(received(4, 0), asEpochMs(4)));
    drainer.add(decode(received(5, 0), asEpochMs(5)));
    expect(drainer.pending()).toBe(5);
    const flushed = drainer.flush();
    // Handed to the store, not yet committed: nothing is released.
    expect(spool.size()).toBe(3);
    expect(drainer.held()).toBe(2);
    await flushed;
    expect(committed).toEqual([5]);
    expect(spool.size()).toBe(0);
    expect(drainer.pending()).toBe(0);
    expect(drainer.stats()).toMatchObject({ stored: 5, duplicates: 0 });
    expect(health.lastError).toBeNull();
    expect(await stored()).toEqual(["m1", "m2", "m3", "m4", "m5"]);
  });

  it("a backlog larger than a batch goes to the store in batches of at most maxBatch, in order", async () => {
    const { spool, drainer, committed } = setUp({ maxBatch: 3 });
    spoolRows(spool, 1, 8);
    await drainer.flush();
    expect(committed).toEqual([3, 3, 2]);
    expect(await stored()).toEqual(Array.from({ length: 8 }, (_, i) => `m${i + 1}`));
  });

  it("a message scheduled alone waits at most flushIntervalMs for its batch", async () => {
    const { spool, drainer } = setUp();
    spoolRows(spool, 1, 1);
    drainer.schedule();
    await once(drainer, "committed");
    expect(await stored()).toEqual(["m1"]);
  });

  it("a store failure keeps every message spooled and says why; the retry stores each once and clears the error", async () => {
    let failures = 1;
    const { spool, drainer, health, committed } = setUp({
      store: (real) => ({ append: (batch) => (failures-- > 0 ? Promise.reject(new Error("disk full")) : real.append(batch)) }),
    });
    spoolRows(spool, 1, 2);
    const flushed = drainer.flush();
    const [error] = (await once(drainer, "storeError")) as [Error];
    expect(error.message).toBe("disk full");
    expect(health.lastError).toBe("store: disk full");
    expect(spool.size()).toBe(2);
    await flushed;
    expect(committed).toEqual([2]);
    expect(health.lastError).toBeNull();
    expect(spool.size()).toBe(0);
    expect(await stored()).toEqual(["m1", "m2"]);
  });

  it("once finishing, a store failure ends the drain without a retry, and the messages wait in the spool for the next start, which stores them", async () => {
    const spoolPath = join(dir, `spool-kept-${n}.db`);
    const first = setUp({ spoolPath, store: () => ({ append: () => Promise.reject(new Error("gone")) }) });
    spoolRows(first.spool, 1, 2);
    const errors: Error[] = [];
    first.drainer.on("storeError", (e) => errors.push(e));
    await first.drainer.finish();
    expect(errors.map((e) => e.message)).toEqual(["gone"]);
    expect(first.spool.size()).toBe(2);
    first.spool.close();
    spools.splice(spools.indexOf(first.spool), 1);

    const next = setUp({ spoolPath });
    await next.drainer.start();
    await once(next.drainer, "committed");
    expect(await stored()).toEqual(["m1", "m2"]);
  });
});
