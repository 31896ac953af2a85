import pg from "pg";
import { afterAll } from "vitest";
import { PostgresStore } from "../../lib/store/postgres";
import { storeContract } from "../store.contract";

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

storeContract("PostgreSQL", async () => {
  const schema = `${run}_${schemas.length}`;
  schemas.push(schema);
  return PostgresStore.open({ connectionString: URL, schema });
});
