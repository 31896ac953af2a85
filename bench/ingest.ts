/**
 * Bridge ingest: messages per second from first publish to the last row committed, against a
 * bare MQTT.js subscriber that only counts, on the same stream. As in production the broker and
 * the publisher are other processes: a Mosquitto started here, and `mosquitto_pub -l` sending
 * one telemetry JSON per line. The bridge and the reference run in this process, one at a time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { Bridge } from "../lib/bridge/bridge";
import pg from "pg";
import { PostgresStore } from "../lib/store/postgres";
import { SqliteStore } from "../lib/store/sqlite";
import type { Store } from "../lib/store/types";
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

/** The PostgreSQL every machine here runs; the bench works in a schema of its own, dropped after. */
const PG_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * Each run is a few seconds, so one slow second (another process on these 2 cores) moves it a
 * lot: the reference and both stores run in turns, several rounds, and the medians are reported.
 */
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 3);
/** QoS 0 messages per run; the QoS 1 runs send half as many. */
const MESSAGES = Number(process.env.BENCH_INGEST_MESSAGES ?? 100_000);

async function postgresRun(url: string, count: number, dir: string, round: number): Promise<number> {
  const schema = `bench_${process.pid}_${round}`;
  const pg = await PostgresStore.open({ connectionString: PG_URL, schema });
  try {
    return await bridged(url, count, 1, dir, pg, `pg${round}`);
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
  try {
    for (const [qos, count] of [
      [0, MESSAGES],
      [1, Math.round(MESSAGES / 2)],
    ] as const) {
      const refs: number[] = [];
      const sqlite: number[] = [];
      const postgres: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        refs.push(await reference(broker.tcpUrl, count, qos));
        const store = new SqliteStore(join(dir, `bench-${qos}-${round}.db`));
        sqlite.push(await bridged(broker.tcpUrl, count, qos, dir, store, `sqlite${round}`));
        await store.close();
        if (qos === 1) postgres.push(await postgresRun(broker.tcpUrl, count, dir, round));
      }
      const ref = median(refs);
      results.push({ name: `bridge ingest, QoS ${qos} telemetry (${count} msgs, Mosquitto → SQLite)`, value: median(sqlite), unit: "msgs/s", reference: ref, referenceName });
      if (qos === 1) results.push({ name: `bridge ingest, QoS 1 telemetry (${count} msgs, Mosquitto → PostgreSQL)`, value: median(postgres), unit: "msgs/s", reference: ref, referenceName });
    }
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
