/**
 * Which files a backup holds and where a restore puts them, from the configuration alone: the
 * SQLite store (DATABASE_URL), the embedded broker's persistence (`brokerPersistenceFile`) and the
 * bridge's spool. No I/O here (lib/backup/backup.ts and restore.ts do it); the file names come from
 * their homes (lib/config/env.ts, lib/store/sqlite/store.ts, lib/bridge/spool.ts).
 *
 * The three are copied broker first, spool second, store last, which is the order a message moves
 * in: the bridge commits it to its spool before it acknowledges it to the broker, and to the store
 * before it deletes it from the spool. So whatever the broker's copy no longer holds is in the spool
 * or the store as they were copied later, and a restored server loses nothing that was acknowledged
 * before the backup began. What moved on meanwhile may be in two copies; the store takes each
 * message once again when it comes round a second time (lib/bridge/decode.ts: a seq, or the spool
 * row, is its identity), as after a crash.
 */
import { spoolPathFor } from "../bridge/spool";
import type { Config } from "../config/env";
import { redact } from "../config/redact";
import { sqlitePathFromUrl } from "../store/sqlite/store";
import { backupSocketPath } from "../broker/backup-socket";
import type { EntryName, Manifest } from "./format";

/** The part of the configuration a backup or a restore reads. */
export type BackupConfig = Pick<Config, "databaseUrl" | "mqttUrl" | "brokerPersistence" | "brokerPersistenceFile" | "bridgeId">;

export type StoreSource = { kind: "sqlite"; file: string } | { kind: "postgres"; dump: string; restore: string };
export type BrokerSource = { kind: "file"; file: string; socket: string } | { kind: "none"; why: string };

export interface BackupSources {
  store: StoreSource;
  broker: BrokerSource;
  /** Backed up when the file exists (a server without a bridge has none). */
  spool: string;
}

/** The SQLite file of a `file:` DATABASE_URL, or null for PostgreSQL. */
export function sqliteFile(databaseUrl: string): string | null {
  return databaseUrl.startsWith("file:") ? sqlitePathFromUrl(databaseUrl) : null;
}

/** A word for a POSIX shell, quoted only when it needs to be. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_\-.,:/=@%+]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The pg_dump and pg_restore lines for a PostgreSQL DATABASE_URL, its password shown as `***`. */
export function postgresLines(databaseUrl: string, backupFile: string): { dump: string; restore: string } {
  const url = shellWord(redact(databaseUrl));
  const dumpFile = shellWord(`${backupFile}.pgdump`);
  return {
    dump: `pg_dump --format=custom --file=${dumpFile} ${url}`,
    restore: `pg_restore --clean --if-exists --no-owner --dbname=${url} ${dumpFile}`,
  };
}

/** Why this configuration has no broker file to copy, or null when it has one. */
function noBrokerFile(config: BackupConfig): string | null {
  if (config.mqttUrl) return `the server uses an external broker (MQTT_URL=${redact(config.mqttUrl)}): back that broker up with its own tools`;
  if (config.brokerPersistence === "memory") return "FLEETSCOPE_BROKER_PERSISTENCE=memory: the embedded broker keeps nothing on disk";
  return null;
}

export function backupSources(config: BackupConfig, backupFile: string, tmpDir?: string): BackupSources {
  const file = sqliteFile(config.databaseUrl);
  const why = noBrokerFile(config);
  return {
    store: file ? { kind: "sqlite", file } : { kind: "postgres", ...postgresLines(config.databaseUrl, backupFile) },
    broker: why ? { kind: "none", why } : { kind: "file", file: config.brokerPersistenceFile, socket: backupSocketPath(config.brokerPersistenceFile, tmpDir) },
    spool: spoolPathFor(config.databaseUrl, config.bridgeId),
  };
}

export interface RestoreTarget {
  name: EntryName;
  file: string;
  /** Something to say beside it: the configuration in force will not read this file, say. */
  note: string | null;
}

export type RestorePlan = { ok: true; targets: RestoreTarget[]; pgRestore: string | null } | { ok: false; problem: string };

/** Where each entry of a backup goes under this configuration, or why it cannot be restored here. */
export function restorePlan(manifest: Manifest, config: BackupConfig, backupFile: string): RestorePlan {
  const file = sqliteFile(config.databaseUrl);
  if (manifest.store.kind === "sqlite" && !file) {
    return { ok: false, problem: "the backup holds a SQLite store, but DATABASE_URL is PostgreSQL: restore it with DATABASE_URL=file:<path>" };
  }
  if (manifest.store.kind === "postgres" && file) {
    return { ok: false, problem: `the backup was taken with a PostgreSQL store (restored with pg_restore, not from this file), but DATABASE_URL is the SQLite file ${file}` };
  }
  const why = noBrokerFile(config);
  const targets = manifest.entries.map(({ name }): RestoreTarget => {
    if (name === "store") return { name, file: file!, note: null };
    if (name === "spool") return { name, file: spoolPathFor(config.databaseUrl, manifest.bridgeId), note: manifest.bridgeId === config.bridgeId ? null : `for the bridge ${manifest.bridgeId}; FLEETSCOPE_BRIDGE_ID is ${config.bridgeId}` };
    return { name, file: config.brokerPersistenceFile, note: why ? `not read while ${why.split(":")[0]}` : null };
  });
  return { ok: true, targets, pgRestore: file ? null : postgresLines(config.databaseUrl, backupFile).restore };
}
