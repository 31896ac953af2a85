/**
 * Snapshot (issue 20): GET /api/snapshot's store work at random past instants, every device as of
 * then and the first page (1,000) of topics with each one's last message then, on SQLite and on
 * PostgreSQL; p95 against the same topics' answer computed by scanning the messages up to the
 * instant (GROUP BY topic), measured in the same run. Target: p95 < 300 ms.
 *
 * The default is the issue's fleet and topic count (1,000 devices at 2 Hz, 100,000 topics) over
 * half an hour, 4 M messages, which loads in minutes here; the issue's 30 days are 5.2 G messages.
 * BENCH_SNAPSHOT_* set the size; the figure names it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { asDeviceId, asEpochMs, type EpochMs } from "../lib/devices/model";
import { PostgresStore } from "../lib/store/postgres/store";
import { SqliteStore } from "../lib/store/sqlite/store";
import type { Batch, MessageRow, Store } from "../lib/store/types";
import { median } from "./median";
import type { BenchResult } from "./registry";

const DEVICES = Number(process.env.BENCH_SNAPSHOT_DEVICES ?? 1000);
const HZ = Number(process.env.BENCH_SNAPSHOT_HZ ?? 2);
const HOURS = Number(process.env.BENCH_SNAPSHOT_HOURS ?? 0.5);
/** Topics besides the fleet's, each receiving EXTRA_EACH messages spread over the span. */
const EXTRA_TOPICS = Number(process.env.BENCH_SNAPSHOT_TOPICS ?? 100_000);
const EXTRA_EACH = 4;
const INSTANTS = Number(process.env.BENCH_SNAPSHOT_INSTANTS ?? 40);
const REFERENCE_INSTANTS = 3;
const PAGE = 1000;
const PG_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const START = Date.UTC(2026, 0, 1);
const SPAN = HOURS * 3_600_000;
/** Each arm drops offline for a minute every this often, at its own phase. */
const OUTAGE_EVERY = 15 * 60_000;
const SLICE_MS = 10_000;

/** The window in time order, a batch per slice: telemetry, status changes, and the extra topics. */
function* batches(): Generator<Batch> {
  const step = 1000 / HZ;
  const extraGap = SPAN / EXTRA_EACH / EXTRA_TOPICS;
  let extra = 0;
  let seq = 0;
  for (let a = START; a < START + SPAN; a += SLICE_MS) {
    const messages: MessageRow[] = [];
    const devices: Batch["devices"] = [];
    for (let d = 0; d < DEVICES; d++) {
      const id = asDeviceId(`arm-${String(d).padStart(4, "0")}`);
      const topic = `fleet/site-${d % 10}/${id}`;
      for (let t = a + (d % step); t < a + SLICE_MS; t += step) {
        const temp = 40 + 10 * Math.sin((t + d * 1000) / 600_000);
        const ts = asEpochMs(Math.floor(t));
        messages.push({ ts, topic: `${topic}/telemetry`, device: id, qos: 0, retain: false, dup: false, seq: seq++, payload: Buffer.from(`{"temp":${temp.toFixed(2)}}`), truncated: false, ident: null, fields: { temp, current: d % 7 } });
      }
      const phase = (a - START + d * 9_000) % OUTAGE_EVERY;
      if (phase < SLICE_MS || (phase >= 60_000 && phase < 60_000 + SLICE_MS)) {
        const status = phase < SLICE_MS ? "offline" : "online";
        const ts = asEpochMs(a + 1);
        messages.push({ ts, topic: `${topic}/status`, device: id, qos: 1, retain: true, dup: false, seq: null, payload: Buffer.from(status), truncated: false, ident: null, fields: null });
        devices.push({ id, site: `site-${d % 10}`, lastSeen: ts, status, statusReason: status === "offline" ? "LWT offline" : "LWT online", since: ts });
      }
    }
    for (; extra < EXTRA_TOPICS * EXTRA_EACH && START + extra * extraGap < a + SLICE_MS; extra++) {
      const ts = asEpochMs(Math.floor(START + extra * extraGap));
      messages.push({ ts, topic: `plant/extra/${String(extra % EXTRA_TOPICS).padStart(6, "0")}/value`, device: null, qos: 0, retain: false, dup: false, seq: null, payload: Buffer.from(String(extra)), truncated: false, ident: null, fields: null });
    }
    yield { messages, devices };
  }
}

async function load(store: Store): Promise<{ rows: number; seconds: number }> {
  const t0 = performance.now();
  let rows = 0;
  for (const b of batches()) {
    rows += b.messages.length;
    await store.append(b);
  }
  return { rows, seconds: (performance.now() - t0) / 1000 };
}

/** Deterministic instants, so both stores answer the same questions. */
function instants(n: number): EpochMs[] {
  let x = 0x2545f491;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) >>> 0;
    return asEpochMs(START + Math.floor((x / 2 ** 32) * SPAN));
  });
}

/** What the route does: devices and the first page of topics at once, made into JSON. */
async function snapshotMs(store: Store, at: EpochMs): Promise<{ ms: number; topics: string[] }> {
  const t = performance.now();
  const [devices, topics] = await Promise.all([store.listDevicesAt(at), store.queryTopicsAt({ at, limit: PAGE })]);
  JSON.stringify({ at, devices, topics });
  return { ms: performance.now() - t, topics: topics.items.map((m) => `${m.topic}@${m.ts}`) };
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.95) - 1]!;

type Scan = (at: EpochMs) => Promise<string[]>;

/** The first page by scanning: every message up to `at`, its topic's newest kept (GROUP BY), then the page's rows. */
async function measure(label: string, store: Store, scan: Scan, loaded: { rows: number; seconds: number }): Promise<BenchResult> {
  const ats = instants(INSTANTS);
  await snapshotMs(store, ats[0]!); // warm the caches once, as a server's would be
  const times: number[] = [];
  for (const at of ats) times.push((await snapshotMs(store, at)).ms);
  const refTimes: number[] = [];
  for (const at of ats.slice(0, REFERENCE_INSTANTS)) {
    const t = performance.now();
    const expected = await scan(at);
    refTimes.push(performance.now() - t);
    const got = (await snapshotMs(store, at)).topics;
    if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`${label}: the snapshot at ${at} differs from the scan's answer`);
  }
  const size = `${DEVICES} devices at ${HZ} Hz for ${HOURS} h + ${EXTRA_TOPICS} topics, ${loaded.rows.toLocaleString("en")} messages (loaded at ${Math.round(loaded.rows / loaded.seconds)}/s)`;
  return {
    name: `snapshot p95 over ${INSTANTS} instants, ${size}, ${label}; target < 300 ms`,
    value: p95(times),
    unit: "ms",
    reference: median(refTimes),
    referenceName: `scanning messages up to T, median of ${REFERENCE_INSTANTS}`,
    lowerIsBetter: true,
  };
}

export async function benchSnapshot(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-bench-snapshot-"));
  try {
    const path = join(dir, "snapshot.db");
    const sqlite = new SqliteStore(path);
    const loaded = await load(sqlite);
    const raw = new Database(path, { readonly: true });
    const scan = raw.prepare<[number, number], { topic: string; ts: number }>(
      `SELECT m.topic, m.ts FROM messages m JOIN (SELECT topic, max(id) AS id FROM messages WHERE ts <= ? GROUP BY topic ORDER BY topic LIMIT ?) l ON m.id = l.id ORDER BY m.topic`,
    );
    try {
      results.push(await measure("SQLite", sqlite, async (at) => scan.all(at, PAGE).map((r) => `${r.topic}@${r.ts}`), loaded));
    } finally {
      raw.close();
      await sqlite.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const schema = `bench_snapshot_${process.pid}`;
  const store = await PostgresStore.open({ connectionString: PG_URL, schema });
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const loaded = await load(store);
    await client.query("ANALYZE");
    const scan: Scan = async (at) =>
      (
        await client.query<{ topic: string; ts: string }>(
          `SELECT DISTINCT ON (topic COLLATE "C") topic, ts FROM messages WHERE ts <= $1 ORDER BY topic COLLATE "C", ts DESC, id DESC LIMIT $2`,
          [at, PAGE],
        )
      ).rows.map((r) => `${r.topic}@${r.ts}`);
    results.push(await measure("PostgreSQL", store, scan, loaded));
  } finally {
    await store.close();
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
  }
  return results;
}
