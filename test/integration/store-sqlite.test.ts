import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../lib/store/sqlite";
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
