import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { asDeviceId, asEpochMs } from "../../lib/devices/model";
import { PostgresStore } from "../../lib/store/postgres";
import { commandLogContract } from "../commands.contract";
import { storeContract } from "../store.contract";
import { usersContract } from "../users.contract";

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
    while ((await store.prune(asEpochMs(day0 + 2 * DAY), 1000)) > 0);
    expect(await partitions()).toEqual(["messages_d20260103"]);
    expect((await store.queryMessages({ limit: 10 })).messages.map((m) => m.seq)).toEqual([3]);
    await client.end();
    await store.close();
  });
});
