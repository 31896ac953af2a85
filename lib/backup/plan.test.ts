import { describe, expect, it } from "vitest";
import { parseConfig } from "../config/env";
import { backupSocketPath } from "../broker/backup-socket";
import { BACKUP_VERSION, type Manifest } from "./format";
import { backupSources, postgresLines, restorePlan, shellWord } from "./plan";

const configFor = (env: Record<string, string>) => parseConfig({ FLEETSCOPE_AUTH: "off", ...env });
const manifest = (over: Partial<Manifest> = {}): Manifest => ({
  version: BACKUP_VERSION,
  createdAt: 0,
  store: { kind: "sqlite" },
  bridgeId: "fleetscope-bridge",
  entries: [
    { name: "broker", bytes: 1, sha256: "a".repeat(64) },
    { name: "spool", bytes: 1, sha256: "b".repeat(64) },
    { name: "store", bytes: 1, sha256: "c".repeat(64) },
  ],
  ...over,
});

describe("what a backup holds", () => {
  it("takes the SQLite store, the broker's file beside it and the bridge's spool", () => {
    const s = backupSources(configFor({ DATABASE_URL: "file:/srv/fs/fleet.db" }), "/backups/b");
    expect(s).toEqual({
      store: { kind: "sqlite", file: "/srv/fs/fleet.db" },
      broker: { kind: "file", file: "/srv/fs/fleet-broker.db", socket: "/srv/fs/fleet-broker.db-backup.sock" },
      spool: "/srv/fs/spool-fleetscope-bridge.db",
    });
  });

  it("with PostgreSQL, gives the pg_dump line with the password hidden (quoted, so the shell does not glob ***), and still takes the broker's file", () => {
    const s = backupSources(configFor({ DATABASE_URL: "postgres://fleet:s3cret@db.example:5432/fleet" }), "/backups/nightly");
    expect(s.store).toEqual({
      kind: "postgres",
      dump: "pg_dump --format=custom --file=/backups/nightly.pgdump 'postgres://fleet:***@db.example:5432/fleet'",
      restore: "pg_restore --clean --if-exists --no-owner --dbname='postgres://fleet:***@db.example:5432/fleet' /backups/nightly.pgdump",
    });
    expect(JSON.stringify(s)).not.toContain("s3cret");
    expect(s.broker).toMatchObject({ kind: "file", file: "data/broker.db" });
  });

  it("has no broker file to take from an external broker or a broker in memory, and says why", () => {
    expect(backupSources(configFor({ MQTT_URL: "mqtt://u:pw@broker.example:1883" }), "b").broker).toEqual({
      kind: "none",
      why: "the server uses an external broker (MQTT_URL=mqtt://u:***@broker.example:1883): back that broker up with its own tools",
    });
    expect(backupSources(configFor({ FLEETSCOPE_BROKER_PERSISTENCE: "memory" }), "b").broker).toMatchObject({ kind: "none", why: expect.stringContaining("memory") });
  });

  it("quotes a shell word only when it must", () => {
    expect(shellWord("/backups/b.pgdump")).toBe("/backups/b.pgdump");
    expect(shellWord("my backup's")).toBe(`'my backup'\\''s'`);
    expect(postgresLines("postgres://a@h/db?sslmode=require&x=1", "b").dump).toBe(`pg_dump --format=custom --file=b.pgdump 'postgres://a@h/db?sslmode=require&x=1'`);
  });
});

describe("the broker's backup socket", () => {
  it("sits beside the broker's file, or in /tmp under a name made from the path when that is too long for a socket", () => {
    expect(backupSocketPath("/srv/fs/fleet-broker.db")).toBe("/srv/fs/fleet-broker.db-backup.sock");
    const deep = `/srv/${"very-long-folder-name/".repeat(5)}fleet-broker.db`;
    const sock = backupSocketPath(deep);
    expect(sock).toMatch(/^\/tmp\/fleetscope-broker-[0-9a-f]{16}\.sock$/);
    expect(backupSocketPath(deep)).toBe(sock);
    expect(backupSocketPath(`${deep}x`)).not.toBe(sock);
  });
});

describe("where a restore puts a backup", () => {
  it("puts each entry where this configuration's server reads it, the spool under the bridge id the backup was taken with", () => {
    const plan = restorePlan(manifest({ bridgeId: "old-bridge" }), configFor({ DATABASE_URL: "file:/srv/new/f.db" }), "b");
    expect(plan).toEqual({
      ok: true,
      pgRestore: null,
      targets: [
        { name: "broker", file: "/srv/new/f-broker.db", note: null },
        { name: "spool", file: "/srv/new/spool-old-bridge.db", note: "for the bridge old-bridge; FLEETSCOPE_BRIDGE_ID is fleetscope-bridge" },
        { name: "store", file: "/srv/new/f.db", note: null },
      ],
    });
  });

  it("refuses a SQLite store's backup under a PostgreSQL DATABASE_URL, and the other way round", () => {
    expect(restorePlan(manifest(), configFor({ DATABASE_URL: "postgres://h/db" }), "b")).toMatchObject({ ok: false, problem: expect.stringContaining("DATABASE_URL is PostgreSQL") });
    const pg = manifest({ store: { kind: "postgres" }, entries: [manifest().entries[0]!] });
    expect(restorePlan(pg, configFor({ DATABASE_URL: "file:/srv/f.db" }), "b")).toMatchObject({ ok: false, problem: expect.stringContaining("taken with a PostgreSQL store") });
  });

  it("restores a PostgreSQL server's broker file and gives the pg_restore line for the rest", () => {
    const pg = manifest({ store: { kind: "postgres" }, entries: [manifest().entries[0]!] });
    expect(restorePlan(pg, configFor({ DATABASE_URL: "postgres://fleet:pw@h:5432/db" }), "/b/x")).toEqual({
      ok: true,
      targets: [{ name: "broker", file: "data/broker.db", note: null }],
      pgRestore: "pg_restore --clean --if-exists --no-owner --dbname='postgres://fleet:***@h:5432/db' /b/x.pgdump",
    });
  });
});
