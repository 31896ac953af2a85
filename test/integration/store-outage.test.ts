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
import { withClient } from "../../lib/store/postgres/checkout";
import { PostgresStore } from "../../lib/store/postgres/store";
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

async function publish(from: number, count: number, device = "pg-1") {
  const client = await mqtt.connectAsync(broker.tcpUrl, { clientId: `outage-pub-${device}-${from}` });
  await Promise.all(Array.from({ length: count }, (_, i) => client.publishAsync(`fleet/lab/${device}/log`, JSON.stringify({ seq: from + i }), { qos: 1 })));
  await client.endAsync();
}

/** QoS 0 messages without seq: nothing but the bridge's own bookkeeping keeps them from being stored twice. */
async function publishQos0(from: number, count: number, device: string) {
  const client = await mqtt.connectAsync(broker.tcpUrl, { clientId: `outage-pub0-${device}-${from}` });
  await Promise.all(Array.from({ length: count }, (_, i) => client.publishAsync(`fleet/lab/${device}/alarm`, JSON.stringify({ n: from + i }), { qos: 0 })));
  await client.endAsync();
}

function storeAs(role: string) {
  const url = new URL(ADMIN_URL);
  url.username = role;
  return PostgresStore.open({ connectionString: url.toString(), schema });
}

/** Until the store has answered for `n` messages, stored or recognised as stored before. */
function committed(bridge: Bridge, n: number) {
  return new Promise<void>((resolve) => {
    const answered = () => bridge.getStats().stored + bridge.getStats().duplicates;
    const check = () => answered() >= n && (bridge.off("committed", check), resolve());
    bridge.on("committed", check);
    check();
  });
}

async function outage() {
  await admin.query(`ALTER ROLE ${role} NOLOGIN`);
  await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [role]);
}

it("keeps every QoS 1 message through a database outage and reports it meanwhile", async () => {
  const store = await storeAs(role);
  const bridge = new Bridge({ url: broker.tcpUrl, store, clientId: "outage-pg-bridge", spoolPath: join(dir, "spool.db") });
  await bridge.start();

  await publish(1, 100);
  await committed(bridge, 100);

  await outage();
  const failed = once(bridge, "storeError");
  await publish(101, 100); // acknowledged: each is in the spool
  await failed;
  expect(bridge.getStats().lastError).toMatch(/^store: /);
  expect(bridge.getStats().pending).toBeGreaterThan(0);

  await admin.query(`ALTER ROLE ${role} LOGIN`);
  await committed(bridge, 200);
  expect(bridge.getStats().lastError).toBeNull();
  const rows = await admin.query<{ n: string }>(`SELECT count(DISTINCT seq) AS n FROM ${schema}.messages WHERE device = 'pg-1'`);
  expect(Number(rows.rows[0]!.n)).toBe(200);

  await bridge.stop();
  await store.close();
}, 60_000);

it("stores each message once when the database goes away with two batches in flight", async () => {
  const store = await storeAs(role);
  // Counts the batches the store holds at once, so the test knows the bridge really sent one behind another.
  let inFlight = 0;
  let most = 0;
  const append = store.append.bind(store);
  store.append = (batch) => {
    most = Math.max(most, ++inFlight);
    const p = append(batch);
    const done = () => void inFlight--;
    p.then(done, done);
    return p;
  };
  const bridge = new Bridge({ url: broker.tcpUrl, store, clientId: "outage-pg-pipeline", filter: "fleet/lab/pg-2/#", spoolPath: join(dir, "spool-2.db"), maxBatch: 25 });
  await bridge.start();

  await Promise.all([publish(1, 300, "pg-2"), publishQos0(1, 300, "pg-2")]);
  await committed(bridge, 50);
  await outage();
  const failed = once(bridge, "storeError");
  await Promise.all([publish(301, 300, "pg-2"), publishQos0(301, 300, "pg-2")]);
  await failed;
  await admin.query(`ALTER ROLE ${role} LOGIN`);
  await committed(bridge, 1200);
  await bridge.stop();

  const rows = await admin.query<{ qos: number; n: string; distinct: string }>(
    `SELECT qos, count(*) AS n, count(DISTINCT payload) AS distinct FROM ${schema}.messages WHERE device = 'pg-2' GROUP BY qos ORDER BY qos`,
  );
  expect(rows.rows.map((r) => [r.qos, Number(r.n), Number(r.distinct)])).toEqual([
    [0, 600, 600],
    [1, 600, 600],
  ]);
  // A batch committed but answered as failed would be sent again and come back as duplicates.
  expect(bridge.getStats()).toMatchObject({ stored: 1200, duplicates: 0 });
  expect(most).toBe(2);
  await store.close();
}, 60_000);

it("fails the next query, not the process, when the server ends a checked-out session between queries", async () => {
  const url = new URL(ADMIN_URL);
  url.username = role;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  pool.on("error", () => undefined);
  const work = withClient(pool, async (client) => {
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    // The server's FATAL reaches the client while no query of it is running. (Not events.once:
    // that would listen for the client's error itself.)
    const ended = new Promise((resolve) => client.once("end", resolve));
    await admin.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
    await ended;
    await client.query("SELECT 1");
  });
  await expect(work).rejects.toThrow(/not queryable|terminat/);
  // The broken client was discarded: the pool's next one works.
  expect((await pool.query<{ one: number }>("SELECT 1 AS one")).rows[0]!.one).toBe(1);
  await pool.end();
});
