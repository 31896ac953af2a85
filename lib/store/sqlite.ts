import "server-only";
/**
 * The SQLite store: one file, WAL, time as integer epoch ms. better-sqlite3 is synchronous, so
 * each append is one transaction that has committed when `append` resolves.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Device, DeviceId, DeviceStatus, DeviceWithValues, EpochMs } from "../devices/model";
import { topicMatches } from "../mqtt/topic";
import { decodeCursor, encodeCursor } from "./cursor";
import { payloadForJson } from "./payload-text";
import type { Batch, DeviceUpdate, MessagePage, MessageQuery, QoS, Store } from "./types";

/** Each entry runs once, in order; PRAGMA user_version records how many have run. */
const MIGRATIONS: string[] = [
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
   -- Only a time index: one on topic makes inserts ~10x slower (STACK.md, gotcha 5).
   CREATE INDEX messages_ts ON messages (ts);
   CREATE TABLE devices (
     id TEXT PRIMARY KEY,
     site TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'unknown',
     last_seen INTEGER NOT NULL,
     fields TEXT NOT NULL DEFAULT '[]',
     latest TEXT NOT NULL DEFAULT '{}'
   );`,
];

interface DeviceRecord {
  id: string;
  site: string;
  status: string;
  last_seen: number;
  fields: string;
  latest: string;
}

interface MessageRecord {
  id: number;
  ts: number;
  topic: string;
  qos: number;
  retain: number;
  seq: number | null;
  payload: Buffer;
  truncated: number;
}

export function sqlitePathFromUrl(url: string): string {
  return url.replace(/^file:(\/\/)?/, "");
}

function migrate(db: Database.Database) {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

function toDevice(r: DeviceRecord): Device {
  return {
    id: r.id as DeviceId,
    site: r.site,
    status: r.status as DeviceStatus,
    lastSeen: r.last_seen as EpochMs,
    fields: JSON.parse(r.fields) as string[],
  };
}

export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  private readonly db: Database.Database;
  private readonly insertMessage;
  private readonly selectDevice;
  private readonly upsertDevice;
  private readonly writeBatch;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode survives a process crash at any instant; only an OS crash or power
    // loss can take the last commits. The history issue revisits this for FULL.
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    // Deterministic, so SQLite may call it once per row; topics never become SQL text.
    this.db.function("topic_matches", { deterministic: true }, (filter, topic) =>
      topicMatches(String(filter), String(topic)) ? 1 : 0,
    );
    migrate(this.db);
    this.insertMessage = this.db.prepare(
      `INSERT INTO messages (ts, topic, device, qos, retain, dup, seq, payload, truncated)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectDevice = this.db.prepare<[string], DeviceRecord>(`SELECT * FROM devices WHERE id = ?`);
    this.upsertDevice = this.db.prepare(
      `INSERT INTO devices (id, site, status, last_seen, fields, latest) VALUES (@id, @site, @status, @last_seen, @fields, @latest)
       ON CONFLICT (id) DO UPDATE SET site = excluded.site, status = excluded.status,
         last_seen = excluded.last_seen, fields = excluded.fields, latest = excluded.latest`,
    );
    this.writeBatch = this.db.transaction((batch: Batch) => {
      for (const m of batch.messages) {
        this.insertMessage.run(m.ts, m.topic, m.device, m.qos, m.retain ? 1 : 0, m.dup ? 1 : 0, m.seq, m.payload, m.truncated ? 1 : 0);
      }
      for (const u of batch.devices) this.mergeDevice(u);
    });
  }

  private mergeDevice(u: DeviceUpdate) {
    const old = this.selectDevice.get(u.id);
    const latest = old ? (JSON.parse(old.latest) as Record<string, { value: number; ts: number }>) : {};
    if (u.values) Object.assign(latest, u.values);
    this.upsertDevice.run({
      id: u.id,
      site: u.site,
      status: u.status ?? old?.status ?? "unknown",
      last_seen: Math.max(u.lastSeen, old?.last_seen ?? 0),
      fields: JSON.stringify(Object.keys(latest).sort()),
      latest: JSON.stringify(latest),
    });
  }

  async append(batch: Batch): Promise<void> {
    if (batch.messages.length === 0 && batch.devices.length === 0) return;
    this.writeBatch(batch);
  }

  async listDevices(): Promise<Device[]> {
    return this.db.prepare<[], DeviceRecord>(`SELECT * FROM devices ORDER BY site, id`).all().map(toDevice);
  }

  async getDevice(id: DeviceId): Promise<DeviceWithValues | null> {
    const r = this.selectDevice.get(id);
    if (!r) return null;
    return { ...toDevice(r), values: JSON.parse(r.latest) as DeviceWithValues["values"] };
  }

  async queryMessages(q: MessageQuery): Promise<MessagePage> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.topic !== undefined) {
      if (q.topic.includes("+") || q.topic.includes("#")) {
        where.push("topic_matches(?, topic) = 1");
      } else {
        where.push("topic = ?");
      }
      params.push(q.topic);
    }
    if (q.from !== undefined) {
      where.push("ts >= ?");
      params.push(q.from);
    }
    if (q.to !== undefined) {
      where.push("ts <= ?");
      params.push(q.to);
    }
    if (q.cursor !== undefined) {
      const c = decodeCursor(q.cursor);
      where.push("(ts < ? OR (ts = ? AND id < ?))");
      params.push(c.ts, c.ts, c.id);
    }
    const sql = `SELECT id, ts, topic, qos, retain, seq, payload, truncated FROM messages
      ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ts DESC, id DESC LIMIT ?`;
    // One extra row tells whether another page exists.
    const rows = this.db.prepare<(string | number)[], MessageRecord>(sql).all(...params, q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      messages: page.map((r) => ({
        ts: r.ts as EpochMs,
        topic: r.topic,
        qos: r.qos as QoS,
        retain: r.retain === 1,
        ...payloadForJson(r.payload),
        seq: r.seq,
        truncated: r.truncated === 1,
      })),
      next: rows.length > q.limit && last ? encodeCursor({ ts: last.ts, id: last.id }) : null,
    };
  }

  async ping(): Promise<void> {
    this.db.prepare("SELECT 1").get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
