import "server-only";
/**
 * The write side of the SQLite store: a batch in one transaction (messages with exactly-once
 * identities, samples, rollups, the device registry) and retention's deletes. Runs on a worker
 * thread of its own (lib/store/writer/thread.ts) so the bridge's thread keeps reading MQTT while a
 * large batch commits; `:memory:` databases, which one connection cannot share, write inline.
 */
import type Database from "better-sqlite3";
import type { EpochMs } from "../../devices/model";
import { BatchRollups } from "../batch-rollups";
import { PRUNABLE, ROLLUPS, upsertRollupSql, type DeviceRecord } from "./schema";
import { PointsWriter } from "./points";
import { isRedelivery, type AppendResult, type Batch, type DeviceUpdate } from "../types";
import type { DeviceMeta, DeviceValue } from "../../devices/model";
import { mergeMeta, mergeStatus, statusChangeOf } from "../device-merge";

export class SqliteWriter {
  private readonly insertMessage;
  private readonly insertDuplicate;
  private readonly insertSeqMark;
  private readonly insertSeries;
  private readonly selectSeries;
  private readonly selectIdent;
  private readonly releaseIdent;
  private readonly upsertRollup;
  private readonly selectDevice;
  private readonly upsertDevice;
  private readonly insertStatusChange;
  private readonly upsertTopic;
  private readonly selectTopic;
  private readonly insertTopicLog;
  private readonly selectTopicCount;
  /** topic → its id, what the row says of it (an update is needed only when a message says more), and its messages so far. */
  private readonly topicIds = new Map<string, { id: number; first: number; device: boolean; n: number }>();
  /** device → field → series id; ids never change once made. */
  private readonly seriesIds = new Map<string, Map<string, number>>();
  private readonly points: PointsWriter;
  private readonly writeBatch;

  constructor(private readonly db: Database.Database) {
    this.insertMessage = db.prepare(
      `INSERT INTO messages (ts, topic, device, qos, retain, dup, seq, payload, truncated, ident)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ident) WHERE ident IS NOT NULL DO NOTHING`,
    );
    this.selectIdent = db.prepare<[bigint | null], { id: number; ts: number }>(`SELECT id, ts FROM messages WHERE ident = ?`);
    this.releaseIdent = db.prepare<[number]>(`UPDATE messages SET ident = NULL WHERE id = ?`);
    this.insertDuplicate = db.prepare(`INSERT INTO duplicates (ts, topic, device, qos, seq) VALUES (?, ?, ?, ?, ?)`);
    this.insertSeqMark = db.prepare(`INSERT INTO seq_marks (stream, device, ts, seq, modulo, restart, qos) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.insertSeries = db.prepare(`INSERT OR IGNORE INTO series (device, field) VALUES (?, ?)`);
    this.selectSeries = db.prepare<[string, string], { id: number }>(`SELECT id FROM series WHERE device = ? AND field = ?`);
    this.upsertRollup = ROLLUPS.map(([table, grain]) => [db.prepare(upsertRollupSql(table)), grain] as const);
    this.selectDevice = db.prepare<[string], DeviceRecord>(`SELECT * FROM devices WHERE id = ?`);
    this.upsertDevice = db.prepare(
      `INSERT INTO devices (id, site, status, last_seen, fields, latest, name, convention, status_reason, since, meta)
       VALUES (@id, @site, @status, @last_seen, @fields, @latest, @name, @convention, @status_reason, @since, @meta)
       ON CONFLICT (id) DO UPDATE SET site = excluded.site, status = excluded.status,
         last_seen = excluded.last_seen, fields = excluded.fields, latest = excluded.latest, name = excluded.name,
         convention = excluded.convention, status_reason = excluded.status_reason, since = excluded.since, meta = excluded.meta`,
    );
    this.insertStatusChange = db.prepare(`INSERT INTO status_changes (device, ts, status, reason) VALUES (?, ?, ?, ?)`);
    this.upsertTopic = db.prepare(
      `INSERT INTO topics (topic, device, first_ts) VALUES (?, ?, ?)
       ON CONFLICT (topic) DO UPDATE SET device = coalesce(device, excluded.device), first_ts = min(first_ts, excluded.first_ts)`,
    );
    this.selectTopic = db.prepare<[string], { id: number; first_ts: number; device: string | null }>(`SELECT id, first_ts, device FROM topics WHERE topic = ?`);
    this.insertTopicLog = db.prepare(`INSERT INTO topic_log (topic, ts, msg, n) VALUES (?, ?, ?, ?)`);
    this.selectTopicCount = db.prepare<[number], { n: number }>(`SELECT n FROM topic_log WHERE topic = ? ORDER BY ts DESC, msg DESC LIMIT 1`);
    this.points = new PointsWriter(db);
    this.writeBatch = db.transaction((batch: Batch): AppendResult => {
      const result: AppendResult = { stored: 0, duplicates: 0 };
      const rollups = new BatchRollups(ROLLUPS.map(([, grain]) => grain));
      try {
        for (const m of batch.messages) {
          const insert = () => this.insertMessage.run(m.ts, m.topic, m.device, m.qos, m.retain ? 1 : 0, m.dup ? 1 : 0, m.seq, m.payload, m.truncated ? 1 : 0, m.ident);
          let { changes, lastInsertRowid } = insert();
          if (changes === 0) {
            // Its identity is taken: by this message before (a redelivery), or by an old one it
            // repeats, whose row then gives the identity up to it (REDELIVERY_WINDOW_MS).
            const claimed = this.selectIdent.get(m.ident)!;
            if (!isRedelivery(m, claimed.ts)) {
              this.releaseIdent.run(claimed.id);
              ({ changes, lastInsertRowid } = insert());
            }
          }
          if (changes === 0) {
            this.insertDuplicate.run(m.ts, m.topic, m.device, m.qos, m.seq);
            result.duplicates++;
            continue;
          }
          result.stored++;
          const topic = this.topicRef(m.topic, m.device, m.ts);
          this.insertTopicLog.run(topic.id, m.ts, lastInsertRowid, ++topic.n);
          const shared = m.sharedSeq;
          if (shared) this.insertSeqMark.run(shared.stream, m.device, m.ts, shared.seq, shared.modulo, shared.restart ? 1 : 0, m.qos);
          if (m.device && m.fields) {
            for (const field in m.fields) {
              const value = m.fields[field]!;
              const series = this.seriesId(m.device, field);
              this.points.add(series, m.ts, lastInsertRowid, value);
              rollups.add(series, m.device, field, m.ts, value);
            }
          }
        }
        this.points.flush();
      } finally {
        // A failed batch must not leave its points queued for the next one.
        this.points.discard();
      }
      for (const u of batch.devices) this.mergeDevice(u);
      this.upsertRollup.forEach(([stmt], g) => {
        for (const r of rollups.rows(g)) stmt.run(r.device, r.field, r.bucket, r.min, r.max, r.sum, r.count, r.last, r.lastTs);
      });
      return result;
    });
  }

  append(batch: Batch): AppendResult {
    try {
      return this.writeBatch(batch);
    } catch (err) {
      // Series and topics made in the rolled-back transaction are gone; their cached ids would be reused.
      this.seriesIds.clear();
      this.topicIds.clear();
      throw err;
    }
  }

  /** The id of a (device, field) series, made on first use. */
  private seriesId(device: string, field: string): number {
    let fields = this.seriesIds.get(device);
    if (fields === undefined) {
      fields = new Map();
      this.seriesIds.set(device, fields);
    }
    let id = fields.get(field);
    if (id === undefined) {
      this.insertSeries.run(device, field);
      id = this.selectSeries.get(device, field)!.id;
      fields.set(field, id);
    }
    return id;
  }

  /** A topic's id and count so far, made on first use; its first time and device kept up to date. */
  private topicRef(topic: string, device: string | null, ts: number) {
    const known = this.topicIds.get(topic);
    if (known && known.first <= ts && (known.device || device === null)) return known;
    this.upsertTopic.run(topic, device, ts);
    const r = this.selectTopic.get(topic)!;
    const ref = { id: r.id, first: r.first_ts, device: r.device !== null, n: known?.n ?? this.selectTopicCount.get(r.id)?.n ?? 0 };
    this.topicIds.set(topic, ref);
    return ref;
  }

  private mergeDevice(u: DeviceUpdate) {
    const old = this.selectDevice.get(u.id);
    const latest = old ? (JSON.parse(old.latest) as Record<string, DeviceValue>) : {};
    if (u.values) Object.assign(latest, u.values);
    const stored = old ? { status: old.status, reason: old.status_reason, since: old.since } : null;
    const status = mergeStatus(stored, u);
    const change = statusChangeOf(stored, u);
    if (change) this.insertStatusChange.run(u.id, change.ts, change.status, change.reason);
    this.upsertDevice.run({
      id: u.id,
      site: u.site,
      status: status.status,
      last_seen: Math.max(u.lastSeen, old?.last_seen ?? 0),
      fields: JSON.stringify(Object.keys(latest).sort()),
      latest: JSON.stringify(latest),
      name: u.name ?? old?.name ?? u.id,
      convention: u.convention ?? old?.convention ?? "demo",
      status_reason: status.reason,
      since: status.since,
      meta: JSON.stringify(mergeMeta(old ? (JSON.parse(old.meta) as DeviceMeta) : {}, u.meta)),
    });
  }

  prune(before: EpochMs, maxRows: number): number {
    let deleted = 0;
    this.db.transaction(() => {
      // The topic log's rows of exactly the messages the loop below deletes (the same selection
      // in the same transaction), found through the messages' time index.
      deleted += this.db
        .prepare(
          `DELETE FROM topic_log WHERE (topic, ts, msg) IN (SELECT t.id, m.ts, m.id FROM messages m JOIN topics t ON t.topic = m.topic
             WHERE m.rowid IN (SELECT rowid FROM messages WHERE ts < ? LIMIT ?))`,
        )
        .run(before, maxRows).changes;
      for (const [table, col] of PRUNABLE) {
        deleted += this.db.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${col} < ? LIMIT ?)`).run(before, maxRows).changes;
      }
      // Points are ordered by series then time: prune each series' oldest range on its key.
      for (const { id } of this.db.prepare("SELECT id FROM series").all() as { id: number }[]) {
        deleted += this.db
          .prepare(`DELETE FROM points WHERE (series, ts, msg) IN (SELECT series, ts, msg FROM points WHERE series = ? AND ts < ? LIMIT ?)`)
          .run(id, before, maxRows).changes;
      }
      for (const [table] of ROLLUPS) {
        deleted += this.db
          .prepare(`DELETE FROM ${table} WHERE (device, field, bucket) IN (SELECT device, field, bucket FROM ${table} WHERE bucket < ? LIMIT ?)`)
          .run(before, maxRows).changes;
      }
    })();
    return deleted;
  }
}
