import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { asDeviceId, asEpochMs } from "../../lib/devices/model";
import { MIGRATIONS, PostgresStore } from "../../lib/store/postgres/store";
import { commandLogContract } from "../commands.contract";
import { storeContract } from "../store.contract";
import { usersContract } from "../users.contract";
import { rulesContract } from "../rules.contract";
import { capturesContract } from "../captures.contract";
import { alertsContract } from "../alerts.contract";

/** The PostgreSQL every machine here runs (trust auth, database `test`); each store gets its own schema. */
const URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const run = `t${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];

afterAll(async () => {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await client.end();
});

const openPostgres = async () => {
  const schema = `${run}_${schemas.length}`;
  schemas.push(schema);
  return PostgresStore.open({ connectionString: URL, schema });
};
storeContract("PostgreSQL", openPostgres);
usersContract("PostgreSQL", openPostgres);
rulesContract("PostgreSQL", openPostgres);
capturesContract("PostgreSQL", openPostgres);
alertsContract("PostgreSQL", openPostgres, (key) => (schemas.push(`${run}_${key}`), PostgresStore.open({ connectionString: URL, schema: `${run}_${key}` })));
commandLogContract("PostgreSQL", openPostgres);

describe("PostgreSQL partitions", () => {
  it("writes each day into its own partition and retention drops whole old days", async () => {
    const schema = `${run}_${schemas.length}`;
    schemas.push(schema);
    const store = await PostgresStore.open({ connectionString: URL, schema });
    const DAY = 24 * 3_600_000;
    const day0 = Date.UTC(2026, 0, 1);
    const row = (ts: number, seq: number) => ({
      ts: asEpochMs(ts), topic: "fleet/lab/p1/telemetry", device: asDeviceId("p1"), qos: 1 as const, retain: false, dup: false,
      seq, payload: Buffer.from("{}"), truncated: false, ident: BigInt(seq), fields: { temp: seq },
    });
    await store.append({ messages: [row(day0 + 10, 1), row(day0 + DAY + 10, 2), row(day0 + 2 * DAY + 10, 3)], devices: [] });
    const client = new pg.Client({ connectionString: URL });
    await client.connect();
    const partitions = async () =>
      (await client.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND tablename ~ '^messages_d[0-9]{8}$' ORDER BY 1`, [schema])).rows.map((r) => r.name);
    expect(await partitions()).toEqual(["messages_d20260101", "messages_d20260102", "messages_d20260103"]);
    const points = await client.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename ~ '^points_d[0-9]{8}$'`, [schema]);
    expect(points.rows[0].n).toBe(3);
    while ((await store.prune(asEpochMs(day0 + 2 * DAY), 1000)) > 0);
    expect(await partitions()).toEqual(["messages_d20260103"]);
    expect((await store.queryMessages({ limit: 10 })).messages.map((m) => m.seq)).toEqual([3]);
    await client.end();
    await store.close();
  });
});

describe("PostgreSQL migrations", () => {
  it("moves samples stored before series ids into points, and new batches add to the same series", async () => {
    const schema = `${run}_${schemas.length}`;
    schemas.push(schema);
    const client = new pg.Client({ connectionString: URL });
    await client.connect();
    // A schema as the version before points left it, with a day of samples for two series.
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path = ${schema}`);
    await client.query("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)");
    // Every migration up to the one that made series and points.
    const before = MIGRATIONS.findIndex((m) => m.includes("CREATE TABLE series"));
    for (let v = 0; v < before; v++) await client.query(MIGRATIONS[v]!);
    await client.query("INSERT INTO schema_migrations SELECT generate_series(1, $1::int)", [before]);
    const day0 = Date.UTC(2026, 0, 1);
    await client.query(
      `INSERT INTO samples (ts, device, field, value) SELECT $1::bigint + i * 60000, 'p1', f, i * (CASE f WHEN 'temp' THEN 1 ELSE 10 END)
       FROM generate_series(0, 9) i, unnest(ARRAY['temp', 'rpm']) f`,
      [day0],
    );
    await client.end();

    const store = await PostgresStore.open({ connectionString: URL, schema });
    const device = asDeviceId("p1");
    const series = (field: string) => store.querySeries({ device, field, from: asEpochMs(day0), to: asEpochMs(day0 + 3_600_000), points: 1000 });
    expect((await series("temp")).points.map((p) => p.last)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await series("rpm")).points.map((p) => p.last)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    await store.append({
      messages: [{ ts: asEpochMs(day0 + 10 * 60000), topic: "fleet/lab/p1/telemetry", device, qos: 1, retain: false, dup: false, seq: 11, payload: Buffer.from("{}"), truncated: false, ident: 11n, fields: { temp: 10 } }],
      devices: [],
    });
    expect((await series("temp")).points.map((p) => p.last)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((await series("rpm")).points).toHaveLength(10);
    await store.close();
  });
});

describe("PostgreSQL time-travel migration", () => {
  it("indexes and counts the messages of a database made before it, so they answer as-of queries; new messages count on", async () => {
    const schema = `${run}_${schemas.length}`;
    schemas.push(schema);
    const client = new pg.Client({ connectionString: URL });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}; CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)`);
    for (const [v, sql] of MIGRATIONS.slice(0, -2).entries()) await client.query(`${sql}; INSERT INTO schema_migrations VALUES (${v + 1})`);
    for (const [ts, payload] of [[10, "online"], [20, "offline"]] as const) {
      await client.query(`INSERT INTO messages (ts, topic, device, qos, retain, dup, payload) VALUES ($1, 'fleet/lab/a/status', 'a', 1, false, false, $2)`, [ts, Buffer.from(payload)]);
    }
    await client.end();
    const store = await PostgresStore.open({ connectionString: URL, schema });
    const at = async (ts: number) => (await store.queryTopicsAt({ at: asEpochMs(ts), limit: 10 })).items.map((m) => [m.payload, m.count]);
    expect(await at(15)).toEqual([["online", 1]]);
    expect(await at(25)).toEqual([["offline", 2]]);
    await store.append({ messages: [{ ts: asEpochMs(30), topic: "fleet/lab/a/status", device: null, qos: 1, retain: false, dup: false, seq: null, payload: Buffer.from("online"), truncated: false, ident: null, fields: null }], devices: [] });
    expect(await at(35)).toEqual([["online", 3]]);
    await store.close();
  });
});
