import "server-only";
/**
 * The SQLite store: one file, WAL, time as integer epoch ms. Reads on this thread; each append is
 * one transaction on the writer thread that has committed when `append` resolves.
 */
import type Database from "better-sqlite3";
import type { DeviceId, DeviceWithValues, EpochMs } from "../../devices/model";
import { decodeCursor, encodeCursor } from "../cursor";
import { planSeries } from "../series-plan";
import { migrate, openDatabase, type DeviceRecord } from "./schema";
import { toStoredMessage, withValues, type MessageRecord } from "./records";
import { SqliteAsOf } from "./asof";
import { SqliteUsers } from "./users";
import { SqliteRules } from "./rules";
import { SqliteCaptures } from "./captures";
import { SqliteAlerts } from "./alerts";
import { SqliteWriter } from "./writer";
import { WriterThread } from "../writer/thread";
import { sharedStreamsSql, type SeqStream } from "../delivery";
import type { CommandLog } from "../command-log";
import { SqliteCommandLog } from "./commands";
import type { AppendResult, Batch, DeliveryQuery, MessagePage, MessageQuery, Series, SeriesQuery, StatusHistory, StatusHistoryQuery, SamplePage, SampleQuery, Store, TopicsAtPage, TopicsAtQuery } from "../types";
import type { QoS } from "../../mqtt/packet";
import { samplePage } from "../sample-page";
import { statusHistory } from "../device-merge";

interface BucketRecord {
  b: number;
  lo: number;
  hi: number;
  total: number;
  n: number;
  last: number;
}

export function sqlitePathFromUrl(url: string): string {
  return url.replace(/^file:(\/\/)?/, "");
}

/** The WHERE terms of a time-ordered read of messages: topic filter (a bound parameter), window, and cursor. */
function messageWhere(q: { topic?: string; from?: number; to?: number; cursor?: string }, order: "asc" | "desc") {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (q.topic !== undefined) {
    where.push(q.topic.includes("+") || q.topic.includes("#") ? "topic_matches(?, topic) = 1" : "topic = ?");
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
    where.push(order === "asc" ? "(ts > ? OR (ts = ? AND id > ?))" : "(ts < ? OR (ts = ? AND id < ?))");
    params.push(c.ts, c.ts, c.id);
  }
  return { where, params };
}

export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  readonly users: SqliteUsers;
  readonly rules: SqliteRules;
  readonly captures: SqliteCaptures;
  readonly alerts: SqliteAlerts;
  private readonly db: Database.Database;
  private readonly selectDevice;
  private readonly selectSeries;
  private readonly asOf: SqliteAsOf;
  /** Writes go to a thread of their own, or inline for `:memory:` (one connection only). */
  private readonly writer: SqliteWriter | WriterThread;
  /** The inline writer's last append while it is unsettled. */
  private inlineLast: Promise<AppendResult> | null = null;
  readonly commands: CommandLog;

  constructor(path: string) {
    this.db = openDatabase(path);
    migrate(this.db);
    this.users = new SqliteUsers(this.db);
    this.rules = new SqliteRules(this.db);
    this.captures = new SqliteCaptures(this.db);
    this.alerts = new SqliteAlerts(this.db);
    this.selectDevice = this.db.prepare<[string], DeviceRecord>(`SELECT * FROM devices WHERE id = ?`);
    this.selectSeries = this.db.prepare<[string, string], { id: number }>(`SELECT id FROM series WHERE device = ? AND field = ?`);
    this.asOf = new SqliteAsOf(this.db);
    this.writer = path === ":memory:" ? new SqliteWriter(this.db) : new WriterThread({ kind: "sqlite", path });
    this.commands = new SqliteCommandLog(this.db);
  }

  append(batch: Batch): Promise<AppendResult> {
    const writer = this.writer;
    if (writer instanceof WriterThread) return writer.append(batch);
    // Inline, each batch is written when called; Store.append's order rule holds against the last one.
    const before = this.inlineLast;
    const mine = (async () => {
      if (before && !(await before.then(() => true, () => false))) throw new Error("not written: the batch sent before it failed");
      return writer.append(batch);
    })();
    this.inlineLast = mine;
    const forget = () => {
      if (this.inlineLast === mine) this.inlineLast = null;
    };
    mine.then(forget, forget);
    return mine;
  }

  async listDevices(): Promise<DeviceWithValues[]> {
    return this.db.prepare<[], DeviceRecord>(`SELECT * FROM devices ORDER BY site, id`).all().map(withValues);
  }

  async getDevice(id: DeviceId): Promise<DeviceWithValues | null> {
    const r = this.selectDevice.get(id);
    return r ? withValues(r) : null;
  }

  async listDevicesAt(at: EpochMs): Promise<DeviceWithValues[]> {
    return this.asOf.devices(at);
  }

  async queryTopicsAt(q: TopicsAtQuery): Promise<TopicsAtPage> {
    return this.asOf.topics(q);
  }

  async queryMessages(q: MessageQuery): Promise<MessagePage> {
    const { where, params } = messageWhere(q, q.order === "asc" ? "asc" : "desc");
    const dir = q.order === "asc" ? "ASC" : "DESC";
    const sql = `SELECT id, ts, topic, qos, retain, seq, payload, truncated FROM messages
      ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ts ${dir}, id ${dir} LIMIT ?`;
    // One extra row tells whether another page exists.
    const rows = this.db.prepare<(string | number)[], MessageRecord>(sql).all(...params, q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      messages: page.map(toStoredMessage),
      next: rows.length > q.limit && last ? encodeCursor({ ts: last.ts, id: last.id }) : null,
    };
  }

  async countMessages(from: EpochMs, to: EpochMs): Promise<number> {
    return this.db.prepare<[number, number], { n: number }>(`SELECT count(*) AS n FROM messages WHERE ts BETWEEN ? AND ?`).get(from, to)!.n;
  }

  async querySamples(q: SampleQuery): Promise<SamplePage> {
    const { where, params } = messageWhere(q, "asc");
    // A page of messages by the time index, then each one's points by their key (series, ts, msg).
    type Row = { id: number; ts: number; topic: string; device: string | null; field: string | null; value: number | null };
    const rows = this.db
      .prepare<(string | number)[], Row>(
        `WITH page AS (SELECT id, ts, topic, device FROM messages WHERE ${where.join(" AND ")} ORDER BY ts, id LIMIT ?)
         SELECT page.*, se.field, p.value FROM page LEFT JOIN series se ON se.device = page.device
           LEFT JOIN points p ON p.series = se.id AND p.ts = page.ts AND p.msg = page.id
         ORDER BY page.ts, page.id, se.field`,
      )
      .all(...params, q.limit);
    return samplePage(rows, q.limit);
  }

  async querySeries(q: SeriesQuery): Promise<Series> {
    const plan = planSeries(q.from, q.to, q.points);
    const series = this.selectSeries.get(q.device, q.field)?.id;
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
        // Distinct seq per topic (a restarted counter can store one twice: the higher QoS names
        // it), then each one's gap to the one below it in the topic's stream, summed per QoS.
        `WITH s AS (
           SELECT topic, seq, max(qos) AS qos FROM messages
           WHERE device = @device AND seq IS NOT NULL AND ts BETWEEN @from AND @to GROUP BY topic, seq
         )
         SELECT topic, qos, count(*) AS received, coalesce(sum(gap), 0) AS lost
         FROM (SELECT topic, qos, seq - lag(seq) OVER (PARTITION BY topic ORDER BY seq) - 1 AS gap FROM s)
         GROUP BY topic, qos ORDER BY topic, qos`,
      )
      .all(p);
    streams.push(...this.db.prepare<typeof p, SeqStream>(sharedStreamsSql({ device: "@device", from: "@from", to: "@to" })).all(p));
    const dups = this.db
      .prepare<typeof p, { qos: QoS; n: number }>(`SELECT qos, count(*) AS n FROM duplicates WHERE device = @device AND ts BETWEEN @from AND @to GROUP BY qos`)
      .all(p);
    return { streams, duplicates: new Map(dups.map((d) => [d.qos, d.n])) };
  }

  async queryStatusHistory(q: StatusHistoryQuery): Promise<StatusHistory> {
    type Row = { ts: number; status: string; reason: string | null };
    const inside = this.db
      .prepare<[string, number, number, number], Row>(`SELECT ts, status, reason FROM status_changes WHERE device = ? AND ts BETWEEN ? AND ? ORDER BY ts DESC LIMIT ?`)
      .all(q.device, q.from, q.to, q.limit + 1);
    const before = this.db.prepare<[string, number], Row>(`SELECT ts, status, reason FROM status_changes WHERE device = ? AND ts < ? ORDER BY ts DESC LIMIT 1`).get(q.device, q.from);
    return statusHistory(inside, before, q.limit);
  }

  async prune(before: EpochMs, maxRows: number): Promise<number> {
    return this.writer.prune(before, maxRows);
  }

  async ping(): Promise<void> {
    this.db.prepare("SELECT 1").get();
  }

  async close(): Promise<void> {
    if (this.writer instanceof WriterThread) await this.writer.close();
    if (this.db.open) this.db.close();
  }
}
