import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openBrokerDatabase } from "../broker/persistence/schema";
import { BackupRefused, takeBackup } from "./backup";
import type { BackupConfig } from "./plan";
import { restoreBackup, RestoreRefused } from "./restore";

const root = mkdtempSync(join(tmpdir(), "fleetscope-restore-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const folder = () => {
  const d = join(root, String(++n));
  mkdirSync(d);
  return d;
};

const configIn = (dir: string): BackupConfig => ({
  databaseUrl: `file:${dir}/fleet.db`,
  mqttUrl: undefined,
  brokerPersistence: "sqlite",
  brokerPersistenceFile: `${dir}/fleet-broker.db`,
  bridgeId: "fleetscope-bridge",
});

/** A WAL store with `rows` messages, left with its log unfolded when `open` keeps the connection. */
function makeStore(file: string, rows: number[], open = false): Database.Database | null {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, topic TEXT)");
  const insert = db.prepare("INSERT INTO messages (seq, topic) VALUES (?, 'fleet/lab/a-1/telemetry')");
  for (const r of rows) insert.run(r);
  if (open) return db;
  db.close();
  return null;
}

function makeServerFiles(dir: string, rows: number[]): void {
  makeStore(`${dir}/fleet.db`, rows);
  const broker = openBrokerDatabase(`${dir}/fleet-broker.db`);
  broker.prepare("INSERT INTO retained (topic, payload, meta) VALUES ('fleet/lab/a-1/status', ?, '{}')").run(Buffer.from("online"));
  broker.close();
  const spool = new Database(`${dir}/spool-fleetscope-bridge.db`);
  spool.exec("CREATE TABLE spool (id INTEGER PRIMARY KEY AUTOINCREMENT, payload BLOB)");
  spool.close();
}

const seqs = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT seq FROM messages ORDER BY seq").all() as { seq: number }[]).map((r) => r.seq);
  } finally {
    db.close();
  }
};

async function backupOf(rows: number[]): Promise<string> {
  const dir = folder();
  makeServerFiles(dir, rows);
  const out = join(dir, "fleet.backup");
  await takeBackup(configIn(dir), out);
  return out;
}

describe("backup and restore without a server", () => {
  it("puts the store, the broker's file and the spool of a backup into a fresh folder as they were", async () => {
    const dir = folder();
    makeServerFiles(dir, [1, 2, 3]);
    const out = join(dir, "fleet.backup");
    const taken = await takeBackup(configIn(dir), out);
    expect(taken.lines).toEqual([
      expect.stringMatching(/^broker .*fleet-broker\.db, no server running: /),
      expect.stringMatching(/^spool {2}.*spool-fleetscope-bridge\.db: /),
      expect.stringMatching(/^store {2}.*fleet\.db: /),
    ]);
    expect(taken.manifest.entries.map((e) => e.name)).toEqual(["broker", "spool", "store"]);
    expect(readdirSync(dir).filter((f) => f.startsWith("."))).toEqual([]);

    const target = join(root, "fresh", "data");
    const restored = await restoreBackup(configIn(target), out);
    expect(restored.lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^broker → ${target}/fleet-broker\\.db: [0-9.]+ MB$`)),
      expect.stringMatching(new RegExp(`^spool  → ${target}/spool-fleetscope-bridge\\.db: `)),
      expect.stringMatching(new RegExp(`^store  → ${target}/fleet\\.db: `)),
    ]);
    // Nothing else: no temporary file, no log.
    expect(readdirSync(target).sort()).toEqual(["fleet-broker.db", "fleet.db", "spool-fleetscope-bridge.db"]);
    expect(seqs(`${target}/fleet.db`)).toEqual([1, 2, 3]);
    const broker = new Database(`${target}/fleet-broker.db`, { readonly: true });
    expect(broker.prepare("SELECT topic, payload FROM retained").all()).toEqual([{ topic: "fleet/lab/a-1/status", payload: Buffer.from("online") }]);
    broker.close();
  });

  it("refuses to restore while a process has the store open, and leaves it as it was", async () => {
    const out = await backupOf([1]);
    const target = folder();
    const live = makeStore(`${target}/fleet.db`, [7, 8], true)!;
    try {
      const err = await restoreBackup(configIn(target), out).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RestoreRefused);
      expect((err as RestoreRefused).message).toBe(`refusing to restore over a running server: ${target}/fleet.db is open in a running process. Stop it (Ctrl-C or SIGTERM), then run restore again`);
      expect((err as RestoreRefused).notABackup).toBe(false);
    } finally {
      live.close();
    }
    expect(seqs(`${target}/fleet.db`)).toEqual([7, 8]);
  });

  it("refuses to restore while a broker holds its file", async () => {
    const out = await backupOf([1]);
    const target = folder();
    const broker = openBrokerDatabase(`${target}/fleet-broker.db`);
    try {
      await expect(restoreBackup(configIn(target), out)).rejects.toThrow(`${target}/fleet-broker.db is open in a running process`);
    } finally {
      broker.close();
    }
    expect(existsSync(`${target}/fleet.db`)).toBe(false);
  });

  it("refuses a file that is not a backup, saying so", async () => {
    const dir = folder();
    makeStore(`${dir}/fleet.db`, [1]);
    const err = await restoreBackup(configIn(folder()), `${dir}/fleet.db`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestoreRefused);
    expect((err as RestoreRefused).message).toBe(`${dir}/fleet.db: it is not a Fleetscope backup: it does not begin with "FLEETSCOPE-BACKUP 1"`);
    expect((err as RestoreRefused).notABackup).toBe(true);
    await expect(restoreBackup(configIn(dir), `${dir}/nothing-here`)).rejects.toThrow(`there is no file ${dir}/nothing-here`);
  });

  it("refuses a damaged backup and replaces nothing", async () => {
    const out = await backupOf([1, 2]);
    const bytes = readFileSync(out);
    const at = bytes.length - 100;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
    const damaged = `${out}.damaged`;
    writeFileSync(damaged, bytes);
    const target = folder();
    makeStore(`${target}/fleet.db`, [5]);
    await expect(restoreBackup(configIn(target), damaged)).rejects.toThrow("the store entry's bytes do not match its SHA-256: the file is damaged");
    expect(readdirSync(target).sort()).toEqual(["fleet.db"]);
    expect(seqs(`${target}/fleet.db`)).toEqual([5]);
  });

  it("refuses a backup whose entry is a sound database of something else", async () => {
    const dir = folder();
    makeServerFiles(dir, [1]);
    const spool = new Database(`${dir}/spool-fleetscope-bridge.db`);
    spool.exec("DROP TABLE spool; CREATE TABLE other (x)");
    spool.close();
    const out = join(dir, "fleet.backup");
    await takeBackup(configIn(dir), out);
    await expect(restoreBackup(configIn(folder()), out)).rejects.toThrow("its spool entry is not a sound spool database: it has no spool table");
  });

  it("keeps the store it replaces, whole with its unfolded log, and never replays a stale log into the restored one", async () => {
    const out = await backupOf([1, 2, 3]);
    const target = folder();
    // A store as a crash leaves it: its last commits only in its -wal.
    const crashed = folder();
    const open = makeStore(`${crashed}/fleet.db`, [10, 11], true)!;
    open.prepare("INSERT INTO messages (seq, topic) VALUES (12, 'x')").run();
    copyFileSync(`${crashed}/fleet.db`, `${target}/fleet.db`);
    copyFileSync(`${crashed}/fleet.db-wal`, `${target}/fleet.db-wal`);
    // And a log with no database beside where the spool goes: a new file must not take it.
    copyFileSync(`${crashed}/fleet.db-wal`, `${target}/spool-fleetscope-bridge.db-wal`);
    open.close();

    const restored = await restoreBackup(configIn(target), out, Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    expect(restored.lines[3]).toBe(`store  → ${target}/fleet.db: ${restored.lines[3]!.split(": ")[1]!.split(";")[0]}; the file it replaced is kept as ${target}/fleet.db.before-restore-20260102T030405006Z`);
    expect(seqs(`${target}/fleet.db`)).toEqual([1, 2, 3]);
    expect(seqs(`${target}/fleet.db.before-restore-20260102T030405006Z`)).toEqual([10, 11, 12]);
    const spool = new Database(`${target}/spool-fleetscope-bridge.db`, { readonly: true });
    expect(spool.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'messages'").all()).toEqual([]);
    spool.close();
  });
});

describe("what backup refuses", () => {
  it("will not write the backup over a file it backs up", async () => {
    const dir = folder();
    makeServerFiles(dir, [1]);
    await expect(takeBackup(configIn(dir), `${dir}/fleet.db`)).rejects.toThrow(BackupRefused);
    expect(seqs(`${dir}/fleet.db`)).toEqual([1]);
  });

  it("needs a store to back up", async () => {
    await expect(takeBackup(configIn(folder()), join(root, "x.backup"))).rejects.toThrow(/there is no store at .*fleet\.db/);
  });

  it("with PostgreSQL, takes the broker's file and prints the pg_dump line, its password hidden", async () => {
    const dir = folder();
    makeServerFiles(dir, []);
    const config: BackupConfig = { ...configIn(dir), databaseUrl: "postgres://fleet:s3cret@127.0.0.1:5432/fleet" };
    const out = join(dir, "pg.backup");
    const { manifest, lines } = await takeBackup(config, out);
    expect(manifest.store).toEqual({ kind: "postgres" });
    expect(manifest.entries.map((e) => e.name)).toEqual(["broker"]);
    expect(lines.slice(1)).toEqual([
      "store  PostgreSQL is not in this file; take it with pg_dump (the password is shown as ***: put it back, or set PGPASSWORD):",
      `  pg_dump --format=custom --file=${out}.pgdump 'postgres://fleet:***@127.0.0.1:5432/fleet'`,
    ]);
    const restored = await restoreBackup({ ...config, brokerPersistenceFile: `${folder()}/broker.db` }, out);
    expect(restored.lines.at(-1)).toBe(`  pg_restore --clean --if-exists --no-owner --dbname='postgres://fleet:***@127.0.0.1:5432/fleet' ${out}.pgdump`);
  });
});
