import "server-only";
/**
 * The embedded broker's own SQLite file (beside the store's, never the store's file: config
 * `brokerPersistenceFile`): what aedes keeps per session and per topic. Packets are a payload column and a JSON rest
 * (packet-codec.ts).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";

/** Each entry runs once, in order; PRAGMA user_version records how many have run. */
const MIGRATIONS: string[] = [
  `-- The last retained message of each topic [MQTT-3.3.1-5].
   CREATE TABLE retained (
     id INTEGER PRIMARY KEY,
     topic TEXT NOT NULL UNIQUE,
     payload BLOB,
     meta TEXT NOT NULL
   );
   -- Persistent sessions' subscriptions; options is JSON (qos, rh, rap, nl).
   CREATE TABLE subscriptions (
     client_id TEXT NOT NULL,
     topic TEXT NOT NULL,
     options TEXT NOT NULL,
     PRIMARY KEY (client_id, topic)
   ) WITHOUT ROWID;
   -- Each session's QoS 1 and 2 messages not yet acknowledged, in order (seq): queued while it is
   -- offline, in flight (message_id assigned) while it is online, or a PUBREL awaiting PUBCOMP.
   -- Clustered by session, and no other index: a message in flight is written three times, and
   -- each commit writes every page it touched (outgoing.ts answers the other lookups from memory).
   CREATE TABLE outgoing (
     client_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     broker_id TEXT,
     broker_counter INTEGER,
     message_id INTEGER,
     payload BLOB,
     meta TEXT NOT NULL,
     PRIMARY KEY (client_id, seq)
   ) WITHOUT ROWID;
   -- QoS 2 PUBLISHes received and acknowledged with PUBREC, kept by packet id until PUBREL so a
   -- resent PUBLISH is not delivered again [MQTT-4.3.3-2].
   CREATE TABLE incoming (
     id INTEGER PRIMARY KEY,
     client_id TEXT NOT NULL,
     message_id INTEGER NOT NULL,
     payload BLOB,
     meta TEXT NOT NULL,
     UNIQUE (client_id, message_id)
   );
   -- Last wills of connected clients, published if the broker dies with them [MQTT-3.1.2-8].
   CREATE TABLE wills (
     id INTEGER PRIMARY KEY,
     client_id TEXT NOT NULL UNIQUE,
     broker_id TEXT,
     payload BLOB,
     meta TEXT NOT NULL
   );`,
];

/**
 * Pages of the file, set when it is created. Twice SQLite's default: the messages in flight to a
 * session then sit on fewer pages, and a commit writes fewer of them.
 */
const PAGE_SIZE = 8192;
/** Pages the write-ahead log may hold before a checkpoint (which syncs both files) copies them back: ~80 MB. */
const WAL_CHECKPOINT_PAGES = 10_000;

function migrate(db: Database.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/**
 * WAL with synchronous NORMAL, as the store's connections (lib/store/sqlite/schema.ts): a commit
 * survives the process being killed at any instant; only an OS crash or power loss can take the
 * last ones.
 */
export function openBrokerDatabase(file: string): Database.Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // Only the broker's process opens this file: holding its lock spares each transaction the
  // file-locking calls, and the WAL index lives in memory (no -shm file). Set before WAL is entered.
  db.pragma("locking_mode = EXCLUSIVE");
  db.pragma(`page_size = ${PAGE_SIZE}`);
  try {
    // The first statement to touch the file takes the lock, waiting a few seconds for a broker
    // that is still closing it.
    db.pragma("journal_mode = WAL");
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code !== "SQLITE_BUSY") throw err;
    // Two brokers on one file would each replay the other's sessions.
    throw new Error(`${file} is held by another broker process: each embedded broker needs a file of its own (a store of its own, or FLEETSCOPE_BROKER_PERSISTENCE=memory)`);
  }
  db.pragma("synchronous = NORMAL");
  db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  // After a checkpoint the log is cut back to this size rather than keeping its largest.
  db.pragma(`journal_size_limit = ${WAL_CHECKPOINT_PAGES * PAGE_SIZE}`);
  migrate(db);
  return db;
}
