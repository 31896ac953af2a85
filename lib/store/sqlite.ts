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
import { HOUR_MS, MINUTE_MS, planSeries, rollup } from "./series-plan";
import type { SeqStream } from "./delivery";
import type { AppendResult, Batch, DeliveryQuery, DeviceUpdate, MessagePage, MessageQuery, QoS, Sample, Series, SeriesQuery, Store } from "./types";

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
];

const ROLLUPS = [
  ["rollup_minute", MINUTE_MS],
  ["rollup_hour", HOUR_MS],
] as const;

/** Tables with a rowid and the time column retention prunes by. */
const PRUNABLE = [
  ["messages", "ts"],
  ["duplicates", "ts"],
] as const;

/** Merges a batch's partial aggregate into the stored one. */
const upsertRollupSql = (table: string) =>
  `INSERT INTO ${table} (device, field, bucket, lo, hi, total, n, last, last_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (device, field, bucket) DO UPDATE SET
     lo = min(lo, excluded.lo), hi = max(hi, excluded.hi), total = total + excluded.total, n = n + excluded.n,
     last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last ELSE last END,
     last_ts = max(last_ts, excluded.last_ts)`;

interface BucketRecord {
  b: number;
  lo: number;
  hi: number;
  total: number;
  n: number;
  last: number;
}

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
  private readonly insertPoint;
  private readonly insertSeries;
  private readonly selectSeries;
  /** (device, field) → series id; ids never change once made. */
  private readonly seriesIds = new Map<string, number>();
  private readonly insertDuplicate;
  private readonly upsertRollup;
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
      `INSERT INTO messages (ts, topic, device, qos, retain, dup, seq, payload, truncated, ident)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ident) WHERE ident IS NOT NULL DO NOTHING`,
    );
    this.insertDuplicate = this.db.prepare(`INSERT INTO duplicates (ts, topic, device, qos, seq) VALUES (?, ?, ?, ?, ?)`);
    this.insertPoint = this.db.prepare(`INSERT OR IGNORE INTO points (series, ts, msg, value) VALUES (?, ?, ?, ?)`);
    this.insertSeries = this.db.prepare(`INSERT OR IGNORE INTO series (device, field) VALUES (?, ?)`);
    this.selectSeries = this.db.prepare<[string, string], { id: number }>(`SELECT id FROM series WHERE device = ? AND field = ?`);
    this.upsertRollup = ROLLUPS.map(([table, grain]) => [this.db.prepare(upsertRollupSql(table)), grain] as const);
    this.selectDevice = this.db.prepare<[string], DeviceRecord>(`SELECT * FROM devices WHERE id = ?`);
    this.upsertDevice = this.db.prepare(
      `INSERT INTO devices (id, site, status, last_seen, fields, latest) VALUES (@id, @site, @status, @last_seen, @fields, @latest)
       ON CONFLICT (id) DO UPDATE SET site = excluded.site, status = excluded.status,
         last_seen = excluded.last_seen, fields = excluded.fields, latest = excluded.latest`,
    );
    this.writeBatch = this.db.transaction((batch: Batch): AppendResult => {
      const result: AppendResult = { stored: 0, duplicates: 0 };
      const samples: Sample[] = [];
      for (const m of batch.messages) {
        const { changes, lastInsertRowid } = this.insertMessage.run(m.ts, m.topic, m.device, m.qos, m.retain ? 1 : 0, m.dup ? 1 : 0, m.seq, m.payload, m.truncated ? 1 : 0, m.ident);
        if (changes === 0) {
          this.insertDuplicate.run(m.ts, m.topic, m.device, m.qos, m.seq);
          result.duplicates++;
          continue;
        }
        result.stored++;
        if (m.device && m.fields) {
          for (const [field, value] of Object.entries(m.fields)) {
            samples.push({ ts: m.ts, device: m.device, field, value });
            this.insertPoint.run(this.seriesId(m.device, field, true), m.ts, lastInsertRowid, value);
          }
        }
      }
      for (const u of batch.devices) this.mergeDevice(u);
      for (const [stmt, grain] of this.upsertRollup) {
        for (const r of rollup(samples, grain)) stmt.run(r.device, r.field, r.bucket, r.min, r.max, r.sum, r.count, r.last, r.lastTs);
      }
      return result;
    });
  }

  /** The id of a (device, field) series; made on first use when `create`, else undefined. */
  private seriesId(device: string, field: string, create: true): number;
  private seriesId(device: string, field: string, create: false): number | undefined;
  private seriesId(device: string, field: string, create: boolean): number | undefined {
    const key = `${device}\u0000${field}`;
    let id = this.seriesIds.get(key);
    if (id === undefined) {
      if (create) this.insertSeries.run(device, field);
      id = this.selectSeries.get(device, field)?.id;
      if (id !== undefined) this.seriesIds.set(key, id);
    }
    return id;
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

  async append(batch: Batch): Promise<AppendResult> {
    return this.writeBatch(batch);
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

  async querySeries(q: SeriesQuery): Promise<Series> {
    const plan = planSeries(q.from, q.to, q.points);
    const series = this.seriesId(q.device, q.field, false);
    if (series === undefined) return { bucketMs: plan.bucketMs, points: [] };
    const p = { device: q.device, field: q.field, series, origin: plan.origin, bucket: plan.bucketMs, from: q.from, to: q.to };
    // better-sqlite3 binds JS numbers as REAL: the bucket index must be truncated explicitly.
    const col = plan.source === "samples" ? "ts" : "bucket";
    const b = `CAST((o.${col} - @origin) / @bucket AS INTEGER)`;
    const start = `(@origin + ${b} * @bucket)`;
    // The last value of a bucket is its newest row: a correlated lookup on the primary index,
    // once per returned bucket (at most `points`), instead of SQLite's bare-column guesswork.
    const sql =
      plan.source === "samples"
        ? `SELECT ${b} AS b, min(o.value) AS lo, max(o.value) AS hi, sum(o.value) AS total, count(*) AS n,
             (SELECT s2.value FROM points s2 WHERE s2.series = @series
                AND s2.ts >= max(@from, ${start}) AND s2.ts < ${start} + @bucket AND s2.ts <= @to
              ORDER BY s2.ts DESC, s2.msg DESC LIMIT 1) AS last
           FROM points o WHERE o.series = @series AND o.ts BETWEEN @from AND @to GROUP BY b ORDER BY b`
        : `SELECT ${b} AS b, min(o.lo) AS lo, max(o.hi) AS hi, sum(o.total) AS total, sum(o.n) AS n,
             (SELECT r2.last FROM ${plan.source} r2 WHERE r2.device = @device AND r2.field = @field
                AND r2.bucket >= ${start} AND r2.bucket < ${start} + @bucket AND r2.bucket <= @to
              ORDER BY r2.bucket DESC LIMIT 1) AS last
           FROM ${plan.source} o WHERE o.device = @device AND o.field = @field AND o.bucket BETWEEN @origin AND @to GROUP BY b ORDER BY b`;
    const rows = this.db.prepare<typeof p, BucketRecord>(sql).all(p);
    return {
      bucketMs: plan.bucketMs,
      points: rows.map((r) => ({ t: plan.origin + r.b * plan.bucketMs, min: r.lo, max: r.hi, avg: r.total / r.n, last: r.last, count: r.n })),
    };
  }

  async queryDelivery(q: DeliveryQuery): Promise<{ streams: SeqStream[]; duplicates: Map<QoS, number> }> {
    const p = { device: q.device, from: q.from, to: q.to };
    const streams = this.db
      .prepare<typeof p, SeqStream>(
        `SELECT topic, max(qos) AS qos, count(DISTINCT seq) AS received, min(seq) AS minSeq, max(seq) AS maxSeq
         FROM messages WHERE device = @device AND seq IS NOT NULL AND ts BETWEEN @from AND @to GROUP BY topic`,
      )
      .all(p);
    const dups = this.db
      .prepare<typeof p, { qos: QoS; n: number }>(`SELECT qos, count(*) AS n FROM duplicates WHERE device = @device AND ts BETWEEN @from AND @to GROUP BY qos`)
      .all(p);
    return { streams, duplicates: new Map(dups.map((d) => [d.qos, d.n])) };
  }

  async prune(before: EpochMs, maxRows: number): Promise<number> {
    let deleted = 0;
    this.db.transaction(() => {
      for (const [table, col] of PRUNABLE) {
        // rowid/primary-key order within the time index: deletes the oldest chunk first.
        deleted += this.db.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${col} < ? LIMIT ?)`).run(before, maxRows).changes;
      }
      // Points are ordered by series then time: prune each series' oldest range on its key.
      for (const { id } of this.db.prepare("SELECT id FROM series").all() as { id: number }[]) {
        deleted += this.db
          .prepare(`DELETE FROM points WHERE (series, ts, msg) IN (SELECT series, ts, msg FROM points WHERE series = ? AND ts < ? LIMIT ?)`)
          .run(id, before, maxRows).changes;
      }
      for (const [table] of ROLLUPS) {
        deleted += this.db.prepare(`DELETE FROM ${table} WHERE (device, field, bucket) IN (SELECT device, field, bucket FROM ${table} WHERE bucket < ? LIMIT ?)`).run(before, maxRows).changes;
      }
    })();
    return deleted;
  }

  async ping(): Promise<void> {
    this.db.prepare("SELECT 1").get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
