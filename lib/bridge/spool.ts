import "server-only";
/**
 * The bridge's durable spool: a local SQLite file where a QoS 1/2 message is committed, alone,
 * before it is acknowledged. MQTT.js hands over one message at a time and acknowledges it when
 * the bridge calls back (docs/architecture.md, gotcha 2), so the commit on that path must be as small as
 * possible: one row, one table, no secondary index. The drainer then moves spooled messages to
 * the store in large batches, and deletes them only after the store has committed them.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { QoS } from "../mqtt/packet";
import { SpoolTail } from "./spool-tail";

export interface SpooledMessage {
  id: number;
  ts: number;
  topic: string;
  qos: QoS;
  retain: boolean;
  dup: boolean;
  payload: Buffer;
}

/**
 * Newest messages kept in memory too: ten store batches' worth, some 15 MB of telemetry. A burst
 * the store falls behind on by more than this is read back from the file (as 20,000 it was, in
 * the ingest bench, about 6% of the bridge thread's time).
 */
const DEFAULT_TAIL_LIMIT = 50_000;

/**
 * AUTOINCREMENT: a row id is never used twice in a spool file, not even after the spool has been
 * drained empty (a plain INTEGER PRIMARY KEY starts again from 1 then), since with the spool's
 * instance it is the identity of a message without seq: a reused id would make a new message
 * look like a redelivery of an old one, and the store would drop it.
 */
const SPOOL_TABLE = `CREATE TABLE spool (id INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, topic TEXT NOT NULL,
  qos INTEGER NOT NULL, retain INTEGER NOT NULL, dup INTEGER NOT NULL, payload BLOB NOT NULL)`;

/**
 * A spool file made before AUTOINCREMENT gets it, its pending rows kept. Its ids may already have
 * been reused, so when nothing is pending it also takes a new instance: no identity it gives
 * from now on can meet one given before. Pending rows keep the instance their identities use.
 */
function upgradeToAutoincrement(db: Database.Database): void {
  const sql = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'spool'").get()?.sql ?? "";
  if (/AUTOINCREMENT/i.test(sql)) return;
  db.transaction(() => {
    db.exec(`ALTER TABLE spool RENAME TO spool_plain; ${SPOOL_TABLE}; INSERT INTO spool SELECT * FROM spool_plain; DROP TABLE spool_plain;`);
    const pending = (db.prepare("SELECT count(*) AS n FROM spool").get() as { n: number }).n;
    if (pending === 0) db.prepare("UPDATE meta SET value = ? WHERE key = 'instance'").run(randomUUID());
  })();
}

interface SpoolRecord {
  id: number;
  ts: number;
  topic: string;
  qos: number;
  retain: number;
  dup: number;
  payload: Buffer;
}

/** A message as the spool takes it in. */
export type Spoolable = Omit<SpooledMessage, "id" | "payload"> & { payload: Uint8Array };

export class Spool {
  /** Names this spool file for good: with a row id it identifies a message across re-drains. */
  readonly instance: string;
  private readonly db: Database.Database;
  private readonly insert;
  private readonly select;
  private readonly remove;
  private readonly insertMany;
  private backlog: number;
  private readonly tail: SpoolTail;
  /** The lock that makes this spool file this bridge's alone (holdOwnership). */
  private readonly owner: Database.Database | null;

  /**
   * @param tailLimit how many of the newest messages are also kept in memory for the drainer.
   * @param lockWaitMs how long to wait for a spool another process holds (one restarting) before refusing it.
   */
  constructor(path: string, tailLimit = DEFAULT_TAIL_LIMIT, lockWaitMs = 5000) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.owner = path === ":memory:" ? null : holdOwnership(path, lockWaitMs);
    try {
      this.db = new Database(path);
    } catch (err) {
      this.owner?.close();
      throw err;
    }
    this.db.pragma("journal_mode = WAL");
    // Survives a crash of this process at any instant; an OS crash may take the last commits.
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(`${SPOOL_TABLE.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS")};
                  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    this.db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('instance', ?)").run(randomUUID());
    upgradeToAutoincrement(this.db);
    this.instance = (this.db.prepare("SELECT value FROM meta WHERE key = 'instance'").get() as { value: string }).value;
    this.insert = this.db.prepare("INSERT INTO spool (ts, topic, qos, retain, dup, payload) VALUES (?, ?, ?, ?, ?, ?)");
    this.select = this.db.prepare<[number, number], SpoolRecord>("SELECT * FROM spool WHERE id > ? ORDER BY id LIMIT ?");
    this.remove = this.db.prepare("DELETE FROM spool WHERE id <= ?");
    this.insertMany = this.db.transaction((messages: Spoolable[]) => messages.map((m) => this.insertOne(m)));
    this.backlog = (this.db.prepare("SELECT count(*) AS n FROM spool").get() as { n: number }).n;
    this.tail = new SpoolTail((this.db.prepare("SELECT coalesce(max(id), 0) AS id FROM spool").get() as { id: number }).id, tailLimit);
  }

  private insertOne(m: Spoolable): SpooledMessage {
    const id = Number(this.insert.run(m.ts, m.topic, m.qos, m.retain ? 1 : 0, m.dup ? 1 : 0, m.payload).lastInsertRowid);
    return { id, ts: m.ts, topic: m.topic, qos: m.qos, retain: m.retain, dup: m.dup, payload: Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength) };
  }

  /** Commits one message; when this returns it survives a crash. */
  put(ts: number, topic: string, qos: QoS, retain: boolean, dup: boolean, payload: Uint8Array): void {
    this.tail.append([this.insertOne({ ts, topic, qos, retain, dup, payload })]);
    this.backlog++;
  }

  /** Commits several messages in one transaction; when this returns they all survive a crash. */
  putMany(messages: Spoolable[]): void {
    // Into the in-memory tail only once committed: a failed transaction left nothing on disk.
    this.tail.append(this.insertMany(messages));
    this.backlog += messages.length;
  }

  /** The oldest spooled messages after row `afterId` (0: from the start), up to `limit`. */
  takeAfter(afterId: number, limit: number): SpooledMessage[] {
    const recent = this.tail.take(afterId, limit);
    if (recent) return recent;
    return this.select.all(afterId, limit).map((r) => ({ id: r.id, ts: r.ts, topic: r.topic, qos: r.qos as QoS, retain: r.retain === 1, dup: r.dup === 1, payload: r.payload }));
  }

  /** Forgets every message up to and including `id`, once the store has committed them. */
  release(id: number, count: number): void {
    this.remove.run(id);
    this.tail.release(id);
    this.backlog -= count;
  }

  size(): number {
    return this.backlog;
  }

  close(): void {
    if (this.db.open) this.db.close();
    if (this.owner?.open) this.owner.close();
  }
}

/**
 * Makes the spool file at `path` this process's alone until it closes the returned database:
 * an exclusive lock on a small file beside it, which the system drops with the process however
 * it ends. Two processes on one spool file (two servers whose SQLite stores share a directory,
 * with one bridge id) each drained the other's messages into their own store, released rows the
 * other still counted, and spun on a backlog it could never take; the e2e suite's lab server took
 * messages the main one had acknowledged. The spool itself stays open to other readers.
 */
function holdOwnership(path: string, waitMs: number): Database.Database {
  const lock = new Database(`${path}-owner`, { timeout: waitMs });
  lock.pragma("locking_mode = EXCLUSIVE");
  try {
    lock.exec("BEGIN EXCLUSIVE; COMMIT");
  } catch (err) {
    lock.close();
    if ((err as { code?: string }).code !== "SQLITE_BUSY") throw err;
    throw new Error(`the spool ${path} is in use by another bridge: give each bridge its own FLEETSCOPE_BRIDGE_ID (or each server's SQLite store a directory of its own)`);
  }
  return lock;
}

/** Where a bridge keeps its spool: beside a SQLite store, else under ./data; one file per client id. */
export function spoolPathFor(databaseUrl: string, clientId: string): string {
  const safe = clientId.replace(/[^A-Za-z0-9_.-]/g, "_");
  const dir = databaseUrl.startsWith("file:") ? dirname(databaseUrl.replace(/^file:(\/\/)?/, "")) : "./data";
  return `${dir}/spool-${safe}.db`;
}
