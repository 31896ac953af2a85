import "server-only";
/**
 * The SQLite store as it was at a past instant (time travel, issue 20): each device's status,
 * values and last message, and each topic's last message and running count, at or before `at`. Every lookup is a
 * seek on a (key, ts) index read backwards from `at`: status_changes (device, ts), points
 * (series, ts, msg), topic_log (topic, ts, msg); nothing scans the messages.
 */
import type Database from "better-sqlite3";
import type { DeviceValue, DeviceWithValues, EpochMs } from "../../devices/model";
import { decodeTopicCursor, encodeTopicCursor } from "../cursor";
import { toStoredMessage, withValues, type MessageRecord } from "./records";
import type { DeviceRecord } from "./schema";
import type { TopicsAtPage, TopicsAtQuery } from "../types";

/** The devices row with the columns that change over time replaced by their values as of @at. */
type AsOfRecord = Omit<DeviceRecord, "fields"> & { now_latest: string };

const DEVICES_AT = `
  SELECT d.id, d.site, d.name, d.convention, d.meta, d.latest AS now_latest,
    coalesce(s.status, 'unknown') AS status, s.reason AS status_reason, s.ts AS since,
    (SELECT max((SELECT l.ts FROM topic_log l WHERE l.topic = t.id AND l.ts <= @at ORDER BY l.ts DESC LIMIT 1))
       FROM topics t WHERE t.device = d.id) AS last_seen,
    (SELECT json_group_object(field, json(v)) FROM (
       SELECT se.field AS field,
         (SELECT json_object('value', p.value, 'ts', p.ts) FROM points p
           WHERE p.series = se.id AND p.ts <= @at ORDER BY p.ts DESC, p.msg DESC LIMIT 1) AS v
       FROM series se WHERE se.device = d.id) WHERE v IS NOT NULL) AS latest
  FROM devices d
  LEFT JOIN status_changes s ON s.rowid = (
    SELECT rowid FROM status_changes WHERE device = d.id AND ts <= @at ORDER BY ts DESC, rowid DESC LIMIT 1)
  ORDER BY d.site, d.id`;

/** The topics part of a query: the filter (a bound parameter, as in queryMessages) and the page's start. */
function topicWhere(q: TopicsAtQuery): { sql: string; params: Record<string, string | number> } {
  const where = ["t.first_ts <= @at"];
  const params: Record<string, string | number> = { at: q.at };
  if (q.topic !== undefined) {
    where.push(q.topic.includes("+") || q.topic.includes("#") ? "topic_matches(@filter, t.topic) = 1" : "t.topic = @filter");
    params.filter = q.topic;
  }
  return { sql: where.join(" AND "), params };
}

export class SqliteAsOf {
  private readonly devicesAt;

  constructor(private readonly db: Database.Database) {
    this.devicesAt = db.prepare<{ at: number }, AsOfRecord>(DEVICES_AT);
  }

  devices(at: EpochMs): DeviceWithValues[] {
    const out: DeviceWithValues[] = [];
    for (const r of this.devicesAt.all({ at })) {
      // A device that had neither published nor changed status by then did not exist yet.
      if (r.last_seen === null && r.since === null) continue;
      const latest = JSON.parse(r.latest ?? "{}") as Record<string, DeviceValue>;
      // Units are the convention's description of a field, not a reading: today's apply.
      const now = JSON.parse(r.now_latest) as Record<string, DeviceValue>;
      for (const [field, v] of Object.entries(latest)) if (now[field]?.unit !== undefined) v.unit = now[field].unit;
      const { now_latest: _, ...record } = r;
      out.push(withValues({ ...record, last_seen: r.last_seen ?? r.since ?? 0, latest: JSON.stringify(latest), fields: JSON.stringify(Object.keys(latest).sort()) }));
    }
    return out;
  }

  topics(q: TopicsAtQuery): TopicsAtPage {
    const { sql, params } = topicWhere(q);
    const after = q.cursor === undefined ? null : decodeTopicCursor(q.cursor);
    const count = this.db.prepare<typeof params, { n: number }>(`SELECT count(*) AS n FROM topics t WHERE ${sql}`).get(params)!.n;
    // Topics in index order, each joined to its last message by one seek on topic_log; one extra
    // row tells whether another page exists.
    const rows = this.db
      .prepare<typeof params, MessageRecord & { n: number }>(
        `SELECT m.id, m.ts, m.topic, m.qos, m.retain, m.seq, m.payload, m.truncated,
           (SELECT l.n FROM topic_log l WHERE l.topic = t.id AND l.ts <= @at ORDER BY l.ts DESC, l.msg DESC LIMIT 1) AS n FROM topics t
         JOIN messages m ON m.id = (SELECT l.msg FROM topic_log l WHERE l.topic = t.id AND l.ts <= @at ORDER BY l.ts DESC, l.msg DESC LIMIT 1)
         WHERE ${sql} ${after === null ? "" : "AND t.topic > @after"} ORDER BY t.topic LIMIT @limit`,
      )
      .all({ ...params, ...(after === null ? {} : { after }), limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return { count, items: page.map((r) => ({ ...toStoredMessage(r), count: r.n })), next: rows.length > q.limit && last ? encodeTopicCursor(last.topic) : null };
  }
}
