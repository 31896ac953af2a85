import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../lib/store/sqlite/store";
import { MIGRATIONS, openDatabase } from "../../lib/store/sqlite/schema";
import { asEpochMs } from "../../lib/devices/model";
import { commandLogContract } from "../commands.contract";
import { storeContract } from "../store.contract";
import { usersContract } from "../users.contract";
import { rulesContract } from "../rules.contract";
import { capturesContract } from "../captures.contract";
import { alertsContract } from "../alerts.contract";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-sqlite-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openSqlite = async () => new SqliteStore(join(dir, `store-${n++}.db`));
storeContract("SQLite", openSqlite);
usersContract("SQLite", openSqlite);
rulesContract("SQLite", openSqlite);
capturesContract("SQLite", openSqlite);
alertsContract("SQLite", openSqlite, async (key) => new SqliteStore(join(dir, `${key}.db`)));
commandLogContract("SQLite", openSqlite);

describe("SQLite store file", () => {
  it("keeps committed rows across a reopen, with migrations run once", async () => {
    const path = join(dir, "reopen.db");
    const a = new SqliteStore(path);
    await a.append({ messages: [{ ts: asEpochMs(1), topic: "t", device: null, qos: 1, retain: false, dup: false, seq: null, payload: Buffer.from("x"), truncated: false, ident: null, fields: null }], devices: [] });
    await a.close();
    const b = new SqliteStore(path);
    expect((await b.queryMessages({ limit: 10 })).messages).toHaveLength(1);
    await b.close();
  });
});

describe("SQLite time-travel migration", () => {
  it("indexes and counts the messages of a database made before it, so they answer as-of queries; new messages count on", async () => {
    const path = join(dir, "before-time-travel.db");
    const db = openDatabase(path);
    for (const [v, sql] of MIGRATIONS.slice(0, -2).entries()) db.exec(`${sql}; PRAGMA user_version = ${v + 1}`);
    const insert = db.prepare(`INSERT INTO messages (ts, topic, device, qos, retain, dup, seq, payload) VALUES (?, ?, ?, 1, 0, 0, NULL, ?)`);
    insert.run(10, "fleet/lab/a/status", "a", Buffer.from("online"));
    insert.run(20, "fleet/lab/a/status", "a", Buffer.from("offline"));
    db.close();
    const store = new SqliteStore(path);
    const at = async (ts: number) => (await store.queryTopicsAt({ at: asEpochMs(ts), limit: 10 })).items.map((m) => [m.payload, m.count]);
    expect(await at(15)).toEqual([["online", 1]]);
    expect(await at(25)).toEqual([["offline", 2]]);
    await store.append({ messages: [{ ts: asEpochMs(30), topic: "fleet/lab/a/status", device: null, qos: 1, retain: false, dup: false, seq: null, payload: Buffer.from("online"), truncated: false, ident: null, fields: null }], devices: [] });
    expect(await at(35)).toEqual([["online", 3]]);
    await store.close();
  });
});
