import "server-only";
/** The SQLite store's schema, its migrations and how a connection to it is opened. */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { topicMatches } from "../../mqtt/topic";
import { HOUR_MS, MINUTE_MS } from "../series-plan";
import { SQLITE_USERS_MIGRATION } from "./users";
import { SQLITE_RULES_MIGRATION } from "./rules";
import { SQLITE_CAPTURES_MIGRATION } from "./captures";
import { SQLITE_ALERT_AUDIT_MIGRATION, SQLITE_ALERTS_MIGRATION } from "./alerts";

/** Each entry runs once, in order; PRAGMA user_version records how many have run. */
export const MIGRATIONS: string[] = [
  `CREATE TABLE messages (
     id INTEGER PRIMARY KEY,
     ts INTEGER NOT NULL,
     topic TEXT NOT NULL,
     device TEXT,
     qos INTEGER NOT NULL,
     retain INTEGER NOT NULL,
     dup INTEGER NOT NULL,
     seq INTEGER,
     payload BLOB NOT NULL,
     truncated INTEGER NOT NULL DEFAULT 0
   );
   -- Only a time index: one on topic makes inserts ~10x slower (docs/architecture.md, gotcha 4).
   CREATE INDEX messages_ts ON messages (ts);
   CREATE TABLE devices (
     id TEXT PRIMARY KEY,
     site TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'unknown',
     last_seen INTEGER NOT NULL,
     fields TEXT NOT NULL DEFAULT '[]',
     latest TEXT NOT NULL DEFAULT '{}'
   );`,
  `CREATE TABLE samples (ts INTEGER NOT NULL, device TEXT NOT NULL, field TEXT NOT NULL, value REAL NOT NULL);
   CREATE INDEX samples_series ON samples (device, field, ts);
   CREATE TABLE rollup_minute (
     device TEXT NOT NULL, field TEXT NOT NULL, bucket INTEGER NOT NULL,
     lo REAL NOT NULL, hi REAL NOT NULL, total REAL NOT NULL, n INTEGER NOT NULL, last REAL NOT NULL, last_ts INTEGER NOT NULL,
     PRIMARY KEY (device, field, bucket)
   ) WITHOUT ROWID;
   CREATE TABLE rollup_hour (
     device TEXT NOT NULL, field TEXT NOT NULL, bucket INTEGER NOT NULL,
     lo REAL NOT NULL, hi REAL NOT NULL, total REAL NOT NULL, n INTEGER NOT NULL, last REAL NOT NULL, last_ts INTEGER NOT NULL,
     PRIMARY KEY (device, field, bucket)
   ) WITHOUT ROWID;`,
  `ALTER TABLE messages ADD COLUMN ident INTEGER;
   CREATE UNIQUE INDEX messages_ident ON messages (ident) WHERE ident IS NOT NULL;
   CREATE TABLE duplicates (ts INTEGER NOT NULL, topic TEXT NOT NULL, device TEXT, qos INTEGER NOT NULL, seq INTEGER);
   CREATE INDEX duplicates_device_ts ON duplicates (device, ts);`,
  // Samples keyed by a small integer per (device, field) in a table that is its own index:
  // one compact B-tree insert per sample instead of a row plus a wide text index entry.
  `CREATE TABLE series (id INTEGER PRIMARY KEY, device TEXT NOT NULL, field TEXT NOT NULL, UNIQUE (device, field));
   CREATE TABLE points (series INTEGER NOT NULL, ts INTEGER NOT NULL, msg INTEGER NOT NULL, value REAL NOT NULL,
     PRIMARY KEY (series, ts, msg)) WITHOUT ROWID;
   INSERT INTO series (device, field) SELECT DISTINCT device, field FROM samples;
   INSERT INTO points SELECT s.id, x.ts, x.rowid, x.value FROM samples x JOIN series s ON s.device = x.device AND s.field = x.field;
   DROP TABLE samples;`,
  `CREATE TABLE commands (
     n INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     key TEXT,
     device TEXT NOT NULL,
     name TEXT NOT NULL,
     actor TEXT NOT NULL,
     state TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     deadline INTEGER NOT NULL,
     doc TEXT NOT NULL
   );
   CREATE UNIQUE INDEX commands_key ON commands (key) WHERE key IS NOT NULL;
   CREATE INDEX commands_created ON commands (created_at);
   CREATE INDEX commands_device_created ON commands (device, created_at);
   CREATE INDEX commands_open ON commands (state) WHERE state IN ('queued', 'sent', 'delivered');
   CREATE TABLE command_replies_unmatched (n INTEGER PRIMARY KEY, ts INTEGER NOT NULL, topic TEXT NOT NULL, device TEXT NOT NULL, reply_id TEXT, payload TEXT NOT NULL);
   CREATE INDEX command_replies_unmatched_ts ON command_replies_unmatched (ts);`,
  SQLITE_USERS_MIGRATION,
  // Device conventions (lib/devices/convention.ts): every device says whose it is and why it has its status.
  `ALTER TABLE devices ADD COLUMN name TEXT;
   ALTER TABLE devices ADD COLUMN convention TEXT NOT NULL DEFAULT 'demo';
   ALTER TABLE devices ADD COLUMN status_reason TEXT;
   ALTER TABLE devices ADD COLUMN since INTEGER;
   ALTER TABLE devices ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';`,
  // A user's own convention rules saved from /topics, and their audit trail.
  SQLITE_RULES_MIGRATION,
  // Every convention's status changes with their reasons: the device page's status history.
  `CREATE TABLE status_changes (device TEXT NOT NULL, ts INTEGER NOT NULL, status TEXT NOT NULL, reason TEXT);
   CREATE INDEX status_changes_device_ts ON status_changes (device, ts);
   CREATE INDEX status_changes_ts ON status_changes (ts);`,
  // Counters shared by several topics or wrapping (a Sparkplug edge node's 0..255): loss is
  // counted over the whole stream in arrival order, not per topic (delivery.ts).
  `CREATE TABLE seq_marks (n INTEGER PRIMARY KEY, stream TEXT NOT NULL, device TEXT, ts INTEGER NOT NULL, seq INTEGER NOT NULL, modulo INTEGER NOT NULL, restart INTEGER NOT NULL, qos INTEGER NOT NULL);
   CREATE INDEX seq_marks_stream_ts ON seq_marks (stream, ts);
   CREATE INDEX seq_marks_device_ts ON seq_marks (device, ts);
   CREATE INDEX seq_marks_ts ON seq_marks (ts);`,
  // Imported packet captures (lib/captures): their summaries; the bytes are files.
  SQLITE_CAPTURES_MIGRATION,
  // Alerts (lib/alerts): rules, per (rule, device) states, transitions, episodes, silences, snapshots, the notification outbox.
  SQLITE_ALERTS_MIGRATION,
  // What operators did to alert rules, alerts and silences: the audit trail.
  SQLITE_ALERT_AUDIT_MIGRATION,
  // Time travel (issue 20): each topic's messages by time, so "the last message of a topic at or
  // before T" is one seek. Keyed by a small integer per topic in a table that is its own index,
  // as points are: a text (topic, ts) index on messages makes inserts ~10x slower (docs/architecture.md, gotcha 4).
  `CREATE TABLE topics (id INTEGER PRIMARY KEY, topic TEXT NOT NULL UNIQUE, device TEXT, first_ts INTEGER NOT NULL);
   CREATE INDEX topics_device ON topics (device) WHERE device IS NOT NULL;
   CREATE TABLE topic_log (topic INTEGER NOT NULL, ts INTEGER NOT NULL, msg INTEGER NOT NULL, PRIMARY KEY (topic, ts, msg)) WITHOUT ROWID;
   INSERT INTO topics (topic, device, first_ts) SELECT topic, max(device), min(ts) FROM messages GROUP BY topic;
   INSERT INTO topic_log SELECT t.id, m.ts, m.id FROM messages m JOIN topics t ON t.topic = m.topic;`,
  // Time travel: each topic_log row carries the topic's running message count, so "how many
  // messages had the topic received by T" is the same seek as its last message (asof.ts).
  `ALTER TABLE topic_log ADD COLUMN n INTEGER NOT NULL DEFAULT 0;
   UPDATE topic_log SET n = c.n FROM (SELECT topic, ts, msg, row_number() OVER (PARTITION BY topic ORDER BY ts, msg) AS n FROM topic_log) c
     WHERE c.topic = topic_log.topic AND c.ts = topic_log.ts AND c.msg = topic_log.msg;`,
];

export const ROLLUPS = [
  ["rollup_minute", MINUTE_MS],
  ["rollup_hour", HOUR_MS],
] as const;

/** Tables with a rowid and the time column retention prunes by. */
export const PRUNABLE = [
  ["messages", "ts"],
  ["duplicates", "ts"],
  ["command_replies_unmatched", "ts"],
  ["status_changes", "ts"],
  ["seq_marks", "ts"],
] as const;

/** Merges a batch's partial aggregate into the stored one. */
export const upsertRollupSql = (table: string) =>
  `INSERT INTO ${table} (device, field, bucket, lo, hi, total, n, last, last_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (device, field, bucket) DO UPDATE SET
     lo = min(lo, excluded.lo), hi = max(hi, excluded.hi), total = total + excluded.total, n = n + excluded.n,
     last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last ELSE last END,
     last_ts = max(last_ts, excluded.last_ts)`;

export interface DeviceRecord {
  id: string;
  site: string;
  status: string;
  last_seen: number;
  fields: string;
  latest: string;
  name: string | null;
  convention: string;
  status_reason: string | null;
  since: number | null;
  meta: string;
}

export function migrate(db: Database.Database) {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/**
 * A connection with the settings every one of ours uses. WAL with synchronous NORMAL survives a
 * crash of the process at any instant; only an OS crash or power loss can take the last commits.
 */
export function openDatabase(path: string): Database.Database {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  // Deterministic, so SQLite may call it once per row; topics never become SQL text.
  db.function("topic_matches", { deterministic: true }, (filter, topic) => (topicMatches(String(filter), String(topic)) ? 1 : 0));
  return db;
}
