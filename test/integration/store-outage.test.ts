/**
 * A database that goes away: the PostgreSQL role the store logs in as is refused and its sessions
 * ended, as in a restart or a lost network. The bridge keeps acknowledging into its spool, reports
 * the store error, retries with backoff, and stores everything once the database is back.
 */
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Bridge } from "../../lib/bridge/bridge";
import { PostgresStore } from "../../lib/store/postgres";
import { BROKERS, type TestBroker } from "../helpers/brokers";

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const role = `fs_outage_${process.pid}`;
const schema = `${role}_s`;
const dir = mkdtempSync(join(tmpdir(), "fleetscope-store-outage-"));
let admin: pg.Client;
let broker: TestBroker;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE ROLE ${role} LOGIN`);
  await admin.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${role}`);
  broker = await BROKERS[0]![1]();
});
afterAll(async () => {
  await broker.stop();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.query(`DROP ROLE IF EXISTS ${role}`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});

async function publish(from: number, count: number) {
  const client = await mqtt.connectAsync(broker.tcpUrl, { clientId: `outage-pub-${from}` });
  await Promise.all(Array.from({ length: count }, (_, i) => client.publishAsync("fleet/lab/pg-1/log", JSON.stringify({ seq: from + i }), { qos: 1 })));
  await client.endAsync();
}

it("keeps every QoS 1 message through a database outage and reports it meanwhile", async () => {
  const url = new URL(ADMIN_URL);
  url.username = role;
  const store = await PostgresStore.open({ connectionString: url.toString(), schema });
  const bridge = new Bridge({ url: broker.tcpUrl, store, clientId: "outage-pg-bridge", spoolPath: join(dir, "spool.db") });
  await bridge.start();
  const committed = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => bridge.getStats().stored >= n && (bridge.off("committed", check), resolve());
      bridge.on("committed", check);
      check();
    });

  await publish(1, 100);
  await committed(100);

  await admin.query(`ALTER ROLE ${role} NOLOGIN`);
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [role]);
  const failed = once(bridge, "storeError");
  await publish(101, 100); // acknowledged: each is in the spool
  await failed;
  expect(bridge.getStats().lastError).toMatch(/^store: /);
  expect(bridge.getStats().pending).toBeGreaterThan(0);

  await admin.query(`ALTER ROLE ${role} LOGIN`);
  await committed(200);
  expect(bridge.getStats().lastError).toBeNull();
  const rows = await admin.query<{ n: string }>(`SELECT count(DISTINCT seq) AS n FROM ${schema}.messages`);
  expect(Number(rows.rows[0]!.n)).toBe(200);

  await bridge.stop();
  await store.close();
}, 60_000);
