/**
 * Bridge ingest: messages per second from first publish to the last row committed, against two
 * references on the same stream: a bare MQTT.js subscriber that only counts (the broker's and the
 * client's limit), and the same rows appended straight into the same kind of store, in this
 * process, with no MQTT (the store's own ceiling). As in production the broker and the publisher
 * are other processes: a Mosquitto started here, and `mosquitto_pub -l` sending one telemetry
 * JSON per line. The bridge and the references run in this process, one at a time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { Bridge } from "../lib/bridge/bridge";
import { decodeMessage, mergeDeviceUpdates, type Decoded } from "../lib/bridge/decode";
import { BUILT_IN_CONVENTIONS } from "../lib/devices/builtin";
import { asEpochMs } from "../lib/devices/model";
import { Interpreter } from "../lib/devices/registry";
import pg from "pg";
import { PostgresStore } from "../lib/store/postgres/store";
import { SqliteStore } from "../lib/store/sqlite/store";
import type { Batch, Store } from "../lib/store/types";
import type { QoS } from "../lib/mqtt/packet";
import { startMosquitto } from "../test/helpers/mosquitto";
import { publishLines, telemetryLines } from "./line-publisher";
import { median } from "./median";
import type { BenchResult } from "./run";

const TOPIC = "fleet/bench/arm-01/telemetry";
const { Client } = pg;

/** Sends `count` lines through mosquitto_pub; resolves when `done` says all were handled. */
async function pump(url: string, count: number, qos: 0 | 1, done: Promise<void>): Promise<number> {
  const lines = [...telemetryLines(count)];
  const start = performance.now();
  const pub = publishLines(url, { topic: TOPIC, qos, clientId: `bench-pub-${Date.now()}`, lines });
  await done;
  const elapsed = performance.now() - start;
  pub.stop();
  return (count / elapsed) * 1000;
}

async function reference(url: string, count: number, qos: 0 | 1): Promise<number> {
  const sub = await mqtt.connectAsync(url, { clientId: `bench-ref-${qos}` });
  let seen = 0;
  const done = new Promise<void>((resolve) => sub.on("message", () => ++seen === count && resolve()));
  await sub.subscribeAsync("fleet/#", { qos: 2 });
  const rate = await pump(url, count, qos, done);
  await sub.endAsync();
  return rate;
}

async function bridged(url: string, count: number, qos: 0 | 1, dir: string, store: Store, label: string): Promise<number> {
  const bridge = new Bridge({ url, store, clientId: `bench-bridge-${label}-${qos}`, filter: "fleet/#", spoolPath: join(dir, `spool-${label}-${qos}.db`) });
  await bridge.start();
  const done = new Promise<void>((resolve) => bridge.on("committed", () => bridge.getStats().stored >= count && resolve()));
  const rate = await pump(url, count, qos, done);
  await bridge.stop();
  return rate;
}

/** The bridge's batch size (its `maxBatch` default), so the ceiling commits as it does. */
const BATCH = 5000;

/**
 * The store's own ceiling: the stream's messages decoded as the bridge decodes them (before the
 * clock starts), then appended in the bridge's batches, one sent behind the one committing as
 * the bridge's drain does. Messages per second from the first append to the last commit.
 */
async function ceiling(store: Store, count: number, qos: QoS): Promise<number> {
  const interpreter = new Interpreter(BUILT_IN_CONVENTIONS);
  const batches: Batch[] = [];
  let decoded: Decoded[] = [];
  const close = () => batches.push({ messages: decoded.map((d) => d.row), devices: mergeDeviceUpdates(decoded.flatMap((d) => d.devices)) });
  let now = Date.now();
  for (const chunk of telemetryLines(count)) {
    for (const line of chunk.split("\n")) {
      if (line === "") continue;
      decoded.push(decodeMessage({ topic: TOPIC, payload: Buffer.from(line), qos, retain: false, dup: false }, asEpochMs(now++), interpreter));
      if (decoded.length === BATCH) {
        close();
        decoded = [];
      }
    }
  }
  if (decoded.length > 0) close();
  await store.append({ messages: [], devices: [] }); // the write path ready, as Bridge.start does
  const start = performance.now();
  let behind: Promise<unknown> = Promise.resolve();
  for (const b of batches) {
    const committing = store.append(b);
    await behind;
    behind = committing;
  }
  await behind;
  return (count / (performance.now() - start)) * 1000;
}

/** The PostgreSQL every machine here runs; the bench works in a schema of its own, dropped after. */
const PG_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * Each run is a few seconds, so one slow second (another process on these 2 cores) moves it a
 * lot: the reference and both stores run in turns, several rounds, and the medians are reported.
 */
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 3);
/** QoS 0 messages per run; the QoS 1 runs send half as many. */
const MESSAGES = Number(process.env.BENCH_INGEST_MESSAGES ?? 100_000);

/** In a fresh schema of its own: the bridge through `url`, or the store's ceiling without one. */
async function postgresRun(url: string | null, count: number, dir: string, round: number): Promise<number> {
  const schema = `bench_${process.pid}_${round}_${url ? "bridge" : "ceiling"}`;
  const pg = await PostgresStore.open({ connectionString: PG_URL, schema });
  try {
    return url ? await bridged(url, count, 1, dir, pg, `pg${round}`) : await ceiling(pg, count, 1);
  } finally {
    await pg.close();
    const admin = new Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

export async function benchIngest(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "fleetscope-bench-"));
  const broker = await startMosquitto();
  const results: BenchResult[] = [];
  const referenceName = `bare MQTT.js subscriber, same stream; medians of ${ROUNDS} rounds`;
  const ceilingName = `the same rows appended straight into the store, no MQTT; medians of ${ROUNDS} rounds`;
  try {
    for (const [qos, count] of [
      [0, MESSAGES],
      [1, Math.round(MESSAGES / 2)],
    ] as const) {
      const refs: number[] = [];
      const sqlite: number[] = [];
      const postgres: number[] = [];
      const sqliteCeiling: number[] = [];
      const postgresCeiling: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        refs.push(await reference(broker.tcpUrl, count, qos));
        const store = new SqliteStore(join(dir, `bench-${qos}-${round}.db`));
        sqlite.push(await bridged(broker.tcpUrl, count, qos, dir, store, `sqlite${round}`));
        await store.close();
        const bare = new SqliteStore(join(dir, `ceiling-${qos}-${round}.db`));
        sqliteCeiling.push(await ceiling(bare, count, qos));
        await bare.close();
        if (qos === 1) {
          postgres.push(await postgresRun(broker.tcpUrl, count, dir, round));
          postgresCeiling.push(await postgresRun(null, count, dir, round));
        }
      }
      const ref = median(refs);
      const spread = (xs: number[]) => `rounds ${xs.map((x) => x.toFixed(0)).join(", ")}`;
      const figures = [["SQLite", sqlite, sqliteCeiling, qos === 1 ? 0.85 : null, qos === 0 ? 0.8 : null]] as [string, number[], number[], number | null, number | null][];
      if (qos === 1) figures.push(["PostgreSQL", postgres, postgresCeiling, 0.7, null]);
      for (const [kind, runs, ceilings, bareTarget, ceilingTarget] of figures) {
        const name = `bridge ingest, QoS ${qos} telemetry (${count} msgs, Mosquitto → ${kind}; ${spread(runs)})`;
        const target = (t: number | null) => (t === null ? "" : `; target ≥ ${t}`);
        results.push({ name, value: median(runs), unit: "msgs/s", reference: ref, referenceName: `${referenceName}; ${spread(refs)}${target(bareTarget)}` });
        results.push({ name, value: median(runs), unit: "msgs/s", reference: median(ceilings), referenceName: `${ceilingName}; ${spread(ceilings)}${target(ceilingTarget)}` });
      }
    }
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
