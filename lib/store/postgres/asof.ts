import "server-only";
/**
 * The PostgreSQL store as it was at a past instant (time travel, issue 20): each device's status,
 * values and last message, and each topic's last message and running count, at or before `at`. Every lookup is a
 * backward seek from `at` on a (key, ts) index, in one statement per answer: status_changes
 * (device, ts), points (series, ts), and messages (topic, ts, id) in the one or two day partitions
 * the topic's days (topic_days) point to, so a month of partitions costs no more than one.
 */
import type pg from "pg";
import type { DeviceWithValues, EpochMs } from "../../devices/model";
import { filterToRegex } from "../../mqtt/topic";
import { DAY_MS } from "./partitions";
import { decodeTopicCursor, encodeTopicCursor } from "../cursor";
import { toStoredMessage, withValues, type DeviceRecord, type MessageRecord } from "./records";
import type { TopicsAtPage, TopicsAtQuery } from "../types";

/**
 * The last message at or before $1 of the topic `topic` (a column of the outer query): the newest
 * of the topic's last two days up to $1 holds it (the last day may have only later messages), each
 * day read in its own partition, which the executor picks from the day's bounds.
 */
export const lastOf = (topic: string, columns: string) => `
  SELECT x.* FROM (SELECT day FROM topic_days WHERE topic = ${topic} AND day <= $1 ORDER BY day DESC LIMIT 2) d
  CROSS JOIN LATERAL (SELECT ${columns} FROM messages WHERE topic = ${topic} COLLATE "default" AND ts >= d.day AND ts < d.day + ${DAY_MS} AND ts <= $1
    ORDER BY ts DESC, id DESC LIMIT 1) x
  ORDER BY x.ts DESC, x.id DESC LIMIT 1`;

// The devices row with the columns that change over time replaced by their values as of $1.
// Units are the convention's description of a field, not a reading: today's apply.
const DEVICES_AT = `
  SELECT d.id, d.site, d.name, d.convention, d.meta,
    coalesce(s.status, 'unknown') AS status, s.reason AS status_reason, s.ts AS since,
    coalesce(seen.ts, s.ts) AS last_seen, coalesce(v.latest, '{}'::jsonb) AS latest
  FROM devices d
  LEFT JOIN LATERAL (SELECT status, reason, ts FROM status_changes WHERE device = d.id AND ts <= $1 ORDER BY ts DESC LIMIT 1) s ON true
  LEFT JOIN LATERAL (
    SELECT max(m.ts) AS ts FROM topics t
    CROSS JOIN LATERAL (${lastOf("t.topic", "ts, id")}) m
    WHERE t.device = d.id) seen ON true
  LEFT JOIN LATERAL (
    SELECT jsonb_object_agg(se.field, jsonb_strip_nulls(jsonb_build_object('value', p.value, 'ts', p.ts, 'unit', d.latest -> se.field -> 'unit'))) AS latest
    FROM series se CROSS JOIN LATERAL (SELECT value, ts FROM points WHERE series = se.id AND ts <= $1 ORDER BY ts DESC LIMIT 1) p
    WHERE se.device = d.id) v ON true
  WHERE s.ts IS NOT NULL OR seen.ts IS NOT NULL
  ORDER BY d.site, d.id`;

export class PgAsOf {
  constructor(private readonly pool: pg.Pool) {}

  async devices(at: EpochMs): Promise<DeviceWithValues[]> {
    const { rows } = await this.pool.query<DeviceRecord>(DEVICES_AT, [at]);
    return rows.map(withValues);
  }

  async topics(q: TopicsAtQuery): Promise<TopicsAtPage> {
    const params: unknown[] = [q.at];
    const where = ["t.first_ts <= $1"];
    if (q.topic !== undefined) {
      params.push(q.topic.includes("+") || q.topic.includes("#") ? filterToRegex(q.topic) : q.topic);
      where.push(q.topic.includes("+") || q.topic.includes("#") ? `t.topic ~ $${params.length}` : `t.topic = $${params.length}`);
    }
    const filtered = where.join(" AND ");
    const count = this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM topics t WHERE ${filtered}`, params);
    const pageParams = [...params];
    if (q.cursor !== undefined) {
      pageParams.push(decodeTopicCursor(q.cursor));
      where.push(`t.topic > $${pageParams.length}`);
    }
    pageParams.push(q.limit + 1);
    // Topics in index order, each joined to its last message by one seek per partition; one
    // extra row tells whether another page exists.
    const rows = this.pool.query<MessageRecord & { topic_n: string }>(
      `SELECT m.* FROM topics t CROSS JOIN LATERAL (${lastOf("t.topic", "id, ts, topic, qos, retain, seq, payload, truncated, topic_n")}) m
       WHERE ${where.join(" AND ")} ORDER BY t.topic LIMIT $${pageParams.length}`,
      pageParams,
    );
    const [c, r] = await Promise.all([count, rows]);
    const page = r.rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return { count: Number(c.rows[0]!.n), items: page.map((r) => ({ ...toStoredMessage(r), count: Number(r.topic_n) })), next: r.rows.length > q.limit && last ? encodeTopicCursor(last.topic) : null };
  }
}
