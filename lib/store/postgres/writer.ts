import "server-only";
/**
 * The write side of the PostgreSQL store: a batch in one transaction, its messages and points
 * by binary COPY, the rest by multi-row INSERTs from unnest() arrays. It runs on a worker thread
 * of its own (lib/store/writer/thread.ts): encoding a batch costs the thread that does it about half what
 * the server spends storing it, and on the bridge's thread that time was taken from reading MQTT,
 * while every round trip of the transaction waited behind the packets in that thread's queue.
 */
import pg from "pg";
import { BinaryCopy, copyBinary } from "./binary-copy";
import { inTransaction } from "./checkout";
import { DAY_MS, Partitions } from "./partitions";
import { BatchRollups } from "../batch-rollups";
import { PgSeries } from "./series";
import { HOUR_MS, MINUTE_MS } from "../series-plan";
import { isRedelivery, type AppendResult, type Batch, type MessageRow } from "../types";
import { lastOf } from "./asof";
import { schemaPool, type PgTarget } from "./pool";

const ROLLUPS = [
  ["rollup_minute", MINUTE_MS],
  ["rollup_hour", HOUR_MS],
] as const;

export class PgWriter {
  private readonly pool: pg.Pool;
  private readonly partitions: Partitions;
  private readonly series = new PgSeries();
  /** Topics as the topics table holds them (first time, device known): only news is sent. */
  private readonly topics = new Map<string, { first: number; device: boolean }>();
  /** The topics known to have a topic_days row, for the last two days seen (older days are rare: late spool drains). */
  private readonly topicDays = new Map<number, Set<string>>();
  /** Each topic's messages stored so far, as its newest row's topic_n says: the next one's count follows. */
  private readonly topicCounts = new Map<string, number>();

  constructor(target: PgTarget) {
    // One batch at a time comes from the bridge, and a new day's partitions take one more.
    this.pool = schemaPool(target, 2);
    this.partitions = new Partitions(this.pool);
  }

  async append(batch: Batch): Promise<AppendResult> {
    const result: AppendResult = { stored: 0, duplicates: 0 };
    if (batch.messages.length === 0 && batch.devices.length === 0) return result;
    // Outside the batch's transaction: a new day's partitions, and the series it names, made once.
    await this.partitions.ensure(batch.messages.map((m) => m.ts));
    await this.series.resolve(this.pool, batch.messages);
    const topics = this.topicNews(batch.messages);
    const days = this.dayNews(batch.messages);
    await this.resolveCounts(batch.messages);
    let counts = new Map<string, number>();
    await inTransaction(this.pool, async (client) => {
      if (days.length > 0) {
        await client.query(`INSERT INTO topic_days (topic, day) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING`, [days.map(([t]) => t), days.map(([, d]) => d)]);
      }
      if (topics.size > 0) {
        const news = [...topics];
        await client.query(
          `INSERT INTO topics (topic, device, first_ts) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
           ON CONFLICT (topic) DO UPDATE SET device = coalesce(topics.device, excluded.device), first_ts = LEAST(topics.first_ts, excluded.first_ts)`,
          [news.map(([t]) => t), news.map(([, n]) => n.device), news.map(([, n]) => n.first)],
        );
      }
      if (batch.messages.length > 0) counts = await this.appendMessages(client, batch.messages, result);
      for (const u of batch.devices) {
        // As statusChangeOf (device-merge.ts): a status other than the stored one, dated.
        const ts = u.since ?? u.lastSeen;
        if (u.status && ts > 0) {
          await client.query(
            `INSERT INTO status_changes (device, ts, status, reason) SELECT $1, $2, $3, $4
             WHERE NOT EXISTS (SELECT 1 FROM devices WHERE id = $1 AND status = $3)`,
            [u.id, ts, u.status, u.statusReason ?? null],
          );
        }
        await client.query(
          // As mergeStatus and mergeMeta (device-merge.ts) do for SQLite.
          `INSERT INTO devices (id, site, status, last_seen, latest, name, convention, status_reason, since, meta)
           VALUES ($1, $2, COALESCE($3, 'unknown'), $4, $5, COALESCE($6, $1), COALESCE($7, 'demo'), $8, $9, COALESCE($10::jsonb, '{}'::jsonb))
           ON CONFLICT (id) DO UPDATE SET site = excluded.site,
             status = COALESCE($3, devices.status),
             status_reason = CASE WHEN $3 IS NULL THEN devices.status_reason ELSE COALESCE($8, devices.status_reason) END,
             since = CASE WHEN $3 IS NULL OR (devices.status = $3 AND devices.since IS NOT NULL) THEN devices.since ELSE $9 END,
             name = COALESCE($6, devices.name), convention = COALESCE($7, devices.convention),
             meta = devices.meta || COALESCE($10::jsonb, '{}'::jsonb),
             last_seen = GREATEST(devices.last_seen, excluded.last_seen),
             latest = devices.latest || excluded.latest`,
          [u.id, u.site, u.status ?? null, u.lastSeen, JSON.stringify(u.values ?? {}), u.name ?? null, u.convention ?? null, u.statusReason ?? null, u.since ?? null, u.meta ? JSON.stringify(u.meta) : null],
        );
      }
    });
    for (const [topic, day] of days) {
      let known = this.topicDays.get(day);
      if (!known) {
        known = new Set();
        this.topicDays.set(day, known);
        for (const d of this.topicDays.keys()) if (d < day - DAY_MS) this.topicDays.delete(d);
      }
      known.add(topic);
    }
    // Committed: what the table now says of these topics is known without asking again.
    for (const [topic, n] of counts) this.topicCounts.set(topic, n);
    for (const [topic, n] of topics) {
      const known = this.topics.get(topic);
      this.topics.set(topic, { first: Math.min(n.first, known?.first ?? n.first), device: n.device !== null || (known?.device ?? false) });
    }
    return result;
  }

  /** The stored counts of the batch's topics this writer has not seen yet: one seek per topic, once. */
  private async resolveCounts(messages: readonly MessageRow[]): Promise<void> {
    const unseen = [...new Set(messages.map((m) => m.topic))].filter((t) => !this.topicCounts.has(t));
    if (unseen.length === 0) return;
    const { rows } = await this.pool.query<{ topic: string; n: string | null }>(
      `SELECT u.topic, m.topic_n AS n FROM unnest($2::text[]) u(topic) LEFT JOIN LATERAL (${lastOf("u.topic", "ts, id, topic_n")}) m ON true`,
      [Number.MAX_SAFE_INTEGER, unseen],
    );
    for (const r of rows) this.topicCounts.set(r.topic, Number(r.n ?? 0));
  }

  /** The batch's (topic, day) pairs not known to be in topic_days, once each. */
  private dayNews(messages: readonly MessageRow[]): [string, number][] {
    const news = new Map<string, [string, number]>();
    for (const m of messages) {
      const day = Math.floor(m.ts / DAY_MS) * DAY_MS;
      if (this.topicDays.get(day)?.has(m.topic)) continue;
      news.set(`${day}/${m.topic}`, [m.topic, day]);
    }
    return [...news.values()];
  }

  /** The batch's topics the table does not know yet, or knows later or without their device. */
  private topicNews(messages: readonly MessageRow[]): Map<string, { first: number; device: string | null }> {
    const news = new Map<string, { first: number; device: string | null }>();
    for (const m of messages) {
      const known = this.topics.get(m.topic);
      if (known && known.first <= m.ts && (known.device || m.device === null)) continue;
      const n = news.get(m.topic);
      news.set(m.topic, { first: Math.min(m.ts, n?.first ?? m.ts), device: n?.device ?? m.device });
    }
    return news;
  }

  /**
   * Of the rows whose identity was taken before this batch, those that are no redelivery but a
   * new message repeating an old one (REDELIVERY_WINDOW_MS): their identities, moved to them.
   */
  private async reclaim(client: pg.PoolClient, withIdent: readonly MessageRow[], fresh: ReadonlySet<string>): Promise<string[]> {
    // The batch's first copy of each is the candidate, as it is the copy stored below.
    const first = new Set<string>();
    const taken = new Map<string, MessageRow>();
    for (const r of withIdent) {
      const ident = r.ident!.toString();
      if (first.has(ident)) continue;
      first.add(ident);
      if (!fresh.has(ident) && !r.dup) taken.set(ident, r);
    }
    if (taken.size === 0) return [];
    const claims = await client.query<{ ident: string; ts: string }>(`SELECT ident::text, ts FROM idents WHERE ident = ANY($1::bigint[]) FOR UPDATE`, [[...taken.keys()]]);
    const moved = claims.rows.filter((c) => !isRedelivery(taken.get(c.ident)!, Number(c.ts))).map((c) => c.ident);
    if (moved.length === 0) return [];
    await client.query(`UPDATE idents SET ts = u.ts FROM unnest($1::bigint[], $2::bigint[]) AS u(ident, ts) WHERE idents.ident = u.ident`, [
      moved,
      moved.map((i) => taken.get(i)!.ts),
    ]);
    return moved;
  }

  /** The messages not stored before, their points and rollups; redeliveries are counted. */
  private async appendMessages(client: pg.PoolClient, m: MessageRow[], result: AppendResult): Promise<Map<string, number>> {
    const withIdent = m.filter((r) => r.ident !== null);
    const claiming = client.query<{ ident: string }>(
      `INSERT INTO idents (ident, ts) SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING RETURNING ident::text`,
      [withIdent.map((r) => r.ident!.toString()), withIdent.map((r) => r.ts)],
    );
    // While the server claims the identities, the rows are encoded as if every one were new: a
    // redelivery is rare, and a batch that has one is encoded again without it.
    claiming.catch(() => undefined); // awaited below, unless encoding throws first
    let rows = this.encode(m);
    const claimed = await claiming;
    const dups: MessageRow[] = [];
    if (claimed.rows.length < withIdent.length) {
      const fresh = new Set(claimed.rows.map((r) => r.ident));
      for (const ident of await this.reclaim(client, withIdent, fresh)) fresh.add(ident);
      // Rows without an identity always go in; of those with one, the identities claimed just
      // now did, once each, and every other occurrence was a redelivery.
      const keep: MessageRow[] = [];
      for (const r of m) {
        if (r.ident !== null && !fresh.delete(r.ident.toString())) dups.push(r);
        else keep.push(r);
      }
      rows = this.encode(keep);
    }
    result.stored = rows.messages.rows;
    const marks = (dups.length ? m.filter((r) => !dups.includes(r)) : m).filter((r) => r.sharedSeq);
    if (marks.length > 0) {
      await client.query(
        `INSERT INTO seq_marks (stream, device, ts, seq, modulo, restart, qos)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::int[], $6::boolean[], $7::smallint[])`,
        [marks.map((r) => r.sharedSeq!.stream), marks.map((r) => r.device), marks.map((r) => r.ts), marks.map((r) => r.sharedSeq!.seq), marks.map((r) => r.sharedSeq!.modulo), marks.map((r) => r.sharedSeq!.restart), marks.map((r) => r.qos)],
      );
    }
    await copyBinary(client, "messages (ts, topic, device, qos, retain, dup, seq, payload, truncated, ident, topic_n)", rows.messages);
    await copyBinary(client, "points (series, ts, value)", rows.points);
    result.duplicates = dups.length;
    if (dups.length > 0) {
      await client.query(
        `INSERT INTO duplicates (ts, topic, device, qos, seq) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::smallint[], $5::bigint[])`,
        [dups.map((r) => r.ts), dups.map((r) => r.topic), dups.map((r) => r.device), dups.map((r) => r.qos), dups.map((r) => r.seq)],
      );
    }
    for (const [g, [table]] of ROLLUPS.entries()) {
      const r = rows.rollups.rows(g);
      if (r.length === 0) continue;
      await client.query(
        `INSERT INTO ${table} (device, field, bucket, lo, hi, total, n, last, last_ts)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::float8[], $6::float8[], $7::bigint[], $8::float8[], $9::bigint[])
         ON CONFLICT (device, field, bucket) DO UPDATE SET
           lo = LEAST(${table}.lo, excluded.lo), hi = GREATEST(${table}.hi, excluded.hi),
           total = ${table}.total + excluded.total, n = ${table}.n + excluded.n,
           last = CASE WHEN excluded.last_ts >= ${table}.last_ts THEN excluded.last ELSE ${table}.last END,
           last_ts = GREATEST(${table}.last_ts, excluded.last_ts)`,
        [r.map((x) => x.device), r.map((x) => x.field), r.map((x) => x.bucket), r.map((x) => x.min), r.map((x) => x.max), r.map((x) => x.sum), r.map((x) => x.count), r.map((x) => x.last), r.map((x) => x.lastTs)],
      );
    }
    return rows.counts;
  }

  /** COPY rows of the messages and their points, the rollups of those points, and the topics' counts after them. */
  private encode(m: readonly MessageRow[]): { messages: BinaryCopy; points: BinaryCopy; rollups: BatchRollups; counts: Map<string, number> } {
    const counts = new Map<string, number>();
    const messages = new BinaryCopy();
    const points = new BinaryCopy();
    const rollups = new BatchRollups(ROLLUPS.map(([, grain]) => grain));
    for (const r of m) {
      const n = (counts.get(r.topic) ?? this.topicCounts.get(r.topic)!) + 1;
      counts.set(r.topic, n);
      messages.row(11).int8(r.ts).text(r.topic).text(r.device).int2(r.qos).bool(r.retain).bool(r.dup).int8(r.seq).bytea(r.payload).bool(r.truncated).int8(r.ident).int8(n);
      if (!r.device || !r.fields) continue;
      for (const field in r.fields) {
        const value = r.fields[field]!;
        const series = this.series.id(r.device, field);
        points.row(3).int4(series).int8(r.ts).float8(value);
        rollups.add(series, r.device, field, r.ts, value);
      }
    }
    return { messages, points, rollups, counts };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
