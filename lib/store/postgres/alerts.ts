import "server-only";
/**
 * The alerts part of the store in PostgreSQL: the same tables and meaning as lib/store/sqlite/alerts.ts.
 * Many rows go in one statement each, as parallel arrays through unnest (still bound parameters:
 * pg quotes every element), so a batch of a thousand states is one round trip, not a thousand.
 */
import type pg from "pg";
import {
  alertAuditMigration, alertsMigration, toAlertAuditRecord, type AlertAuditEntry, type AlertAuditRecord, type AlertAuditRow, episodesOf, lastByKey, stateKey, toAlertRecord, toAlertRuleRecord, toAlertStateRecord, toNotificationRecord, toSilenceRecord, toTransitionRecord,
  type AlertBatch, type AlertPage, type AlertQuery, type AlertRecord, type AlertRow, type AlertRuleRecord, type AlertRuleRow, type AlertStateRecord, type AlertStateRow,
  type AlertStore, type NewNotification, type NewTransition, type NotificationRecord, type NotificationRow, type SilenceRecord, type SilenceRow, type TransitionPage,
  type TransitionQuery, type TransitionRow,
} from "../alerts";
import { decodeCursor, encodeCursor } from "../cursor";
import { inTransaction } from "./checkout";

/** Appended to the PostgreSQL MIGRATIONS list. */
export const PG_ALERTS_MIGRATION = alertsMigration({ int: "BIGINT", serial: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" });
export const PG_ALERT_AUDIT_MIGRATION = alertAuditMigration({ int: "BIGINT", serial: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" });

type Queryable = pg.Pool | pg.PoolClient;

export class PgAlerts implements AlertStore {
  constructor(private readonly pool: pg.Pool) {}

  async listRules(): Promise<AlertRuleRecord[]> {
    // COLLATE "C": the same byte order as SQLite's, whatever the database's locale.
    const { rows } = await this.pool.query<AlertRuleRow>(`SELECT * FROM alert_rules ORDER BY created_at, id COLLATE "C"`);
    return rows.map(toAlertRuleRecord);
  }

  async getRule(id: string): Promise<AlertRuleRecord | null> {
    const { rows } = await this.pool.query<AlertRuleRow>(`SELECT * FROM alert_rules WHERE id = $1`, [id]);
    return rows[0] ? toAlertRuleRecord(rows[0]) : null;
  }

  async saveRule(r: AlertRuleRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO alert_rules (id, body, created_at, created_by, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [r.id, r.body, r.createdAt, r.createdBy, r.updatedAt, r.updatedBy],
    );
  }

  async removeRule(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`DELETE FROM alert_rules WHERE id = $1`, [id]);
    return rowCount === 1;
  }

  async loadStates(): Promise<AlertStateRecord[]> {
    const { rows } = await this.pool.query<AlertStateRow>(`SELECT * FROM alert_states ORDER BY rule COLLATE "C", device COLLATE "C"`);
    return rows.map(toAlertStateRecord);
  }

  async saveStates(rows: AlertStateRecord[]): Promise<void> {
    await writeStates(this.pool, rows);
  }

  async removeStates(rule: string): Promise<number> {
    const { rowCount } = await this.pool.query(`DELETE FROM alert_states WHERE rule = $1`, [rule]);
    return rowCount ?? 0;
  }

  async appendTransitions(rows: NewTransition[]): Promise<void> {
    await writeTransitions(this.pool, rows);
  }

  async listTransitions(q: TransitionQuery): Promise<TransitionPage> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const bind = (v: string | number) => `$${params.push(v)}`;
    for (const col of ["rule", "device", "episode"] as const) if (q[col] !== undefined) where.push(`${col} = ${bind(q[col]!)}`);
    if (q.from !== undefined) where.push(`at >= ${bind(q.from)}`);
    if (q.to !== undefined) where.push(`at <= ${bind(q.to)}`);
    if (q.before !== undefined) where.push(`(at, id) < (SELECT at, id FROM alert_transitions WHERE id = ${bind(q.before)})`);
    const { rows } = await this.pool.query<TransitionRow>(
      `SELECT * FROM alert_transitions ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY at DESC, id DESC LIMIT ${bind(q.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, q.limit).map(toTransitionRecord);
    const last = page.at(-1);
    return { transitions: page, next: rows.length > q.limit && last ? last.id : null };
  }

  async upsertAlert(a: AlertRecord): Promise<void> {
    await writeAlerts(this.pool, [a]);
  }

  async getAlert(id: string): Promise<AlertRecord | null> {
    const { rows } = await this.pool.query<AlertRow>(`SELECT * FROM alerts WHERE id = $1`, [id]);
    return rows[0] ? toAlertRecord(rows[0]) : null;
  }

  async listAlerts(q: AlertQuery): Promise<AlertPage> {
    const where: string[] = [];
    const params: (string | number | string[])[] = [];
    const bind = (v: string | number | string[]) => `$${params.push(v)}`;
    if (q.state !== undefined) where.push(`state = ANY(${bind(q.state)}::text[])`);
    if (q.device !== undefined) where.push(`device = ${bind(q.device)}`);
    if (q.to !== undefined) where.push(`started_at <= ${bind(q.to)}`);
    if (q.from !== undefined) where.push(`(ended_at IS NULL OR ended_at >= ${bind(q.from)})`);
    if (q.cursor !== undefined) {
      const c = decodeCursor(q.cursor);
      where.push(`(started_at, n) < (${bind(c.ts)}, ${bind(c.id)})`);
    }
    const { rows } = await this.pool.query<AlertRow>(
      `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at DESC, n DESC LIMIT ${bind(q.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return { alerts: page.map(toAlertRecord), next: rows.length > q.limit && last ? encodeCursor({ ts: Number(last.started_at), id: Number(last.n) }) : null };
  }

  async setAck(id: string, ack: string | null): Promise<boolean> {
    const { rowCount } = await this.pool.query(`UPDATE alerts SET ack = $1 WHERE id = $2`, [ack, id]);
    return rowCount === 1;
  }

  async saveSilence(s: SilenceRecord): Promise<void> {
    await this.pool.query(`INSERT INTO alert_silences (id, body, created_by, created_at, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
      s.id, s.body, s.createdBy, s.createdAt, s.startsAt, s.endsAt,
    ]);
  }

  async listSilences(q: { activeAt?: number } = {}): Promise<SilenceRecord[]> {
    const { rows } =
      q.activeAt === undefined
        ? await this.pool.query<SilenceRow>(`SELECT * FROM alert_silences ORDER BY created_at DESC, id COLLATE "C" DESC`)
        : await this.pool.query<SilenceRow>(`SELECT * FROM alert_silences WHERE starts_at <= $1 AND ends_at > $1 ORDER BY created_at DESC, id COLLATE "C" DESC`, [q.activeAt]);
    return rows.map(toSilenceRecord);
  }

  async expireSilence(id: string, at: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(`UPDATE alert_silences SET ends_at = $2 WHERE id = $1 AND ends_at > $2`, [id, at]);
    return rowCount === 1;
  }

  async getMeta(key: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ value: string }>(`SELECT value FROM alert_meta WHERE key = $1`, [key]);
    return rows[0]?.value ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await writeMeta(this.pool, { [key]: value });
  }

  async takeLease(key: string, holder: string, now: number, expiresAt: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO alert_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value
       WHERE alert_meta.value::jsonb->>'holder' = $3 OR (alert_meta.value::jsonb->>'expiresAt')::bigint <= $4`,
      [key, JSON.stringify({ holder, expiresAt }), holder, now],
    );
    return rowCount === 1;
  }

  async releaseLease(key: string, holder: string): Promise<void> {
    await this.pool.query(`DELETE FROM alert_meta WHERE key = $1 AND value::jsonb->>'holder' = $2`, [key, holder]);
  }

  async enqueueNotifications(rows: NewNotification[]): Promise<void> {
    await inTransaction(this.pool, (c) => writeNotifications(c, rows));
  }

  async commitTransitionBatch(b: AlertBatch): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await writeStates(c, b.states ?? []);
      await writeTransitions(c, b.transitions ?? []);
      await writeAlerts(c, b.alerts ?? []);
      await writeNotifications(c, b.notifications ?? []);
      await writeMeta(c, b.meta ?? {});
    });
  }

  async dueNotifications(now: number, limit: number): Promise<NotificationRecord[]> {
    const { rows } = await this.pool.query<NotificationRow>(`SELECT * FROM alert_notifications WHERE state = 'pending' AND next_at <= $1 ORDER BY next_at, n LIMIT $2`, [now, limit]);
    return rows.map(toNotificationRecord);
  }

  async markDelivered(id: string, at: number, status: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE alert_notifications SET state = 'delivered', next_at = NULL, attempts = attempts + 1, last_attempt_at = $2, delivered_at = $2, status = $3
       WHERE id = $1 AND state = 'pending'`,
      [id, at, status],
    );
    return rowCount === 1;
  }

  async markFailed(id: string, at: number, error: string, nextAt: number | null): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE alert_notifications SET state = CASE WHEN $4::bigint IS NULL THEN 'failed' ELSE 'pending' END, next_at = $4,
         attempts = attempts + 1, last_attempt_at = $2, last_error = $3
       WHERE id = $1 AND state = 'pending'`,
      [id, at, error, nextAt],
    );
    return rowCount === 1;
  }

  async listDeliveries(q: { alert?: string; limit: number }): Promise<NotificationRecord[]> {
    const { rows } =
      q.alert === undefined
        ? await this.pool.query<NotificationRow>(`SELECT * FROM alert_notifications ORDER BY created_at DESC, n DESC LIMIT $1`, [q.limit])
        : await this.pool.query<NotificationRow>(
            `SELECT * FROM alert_notifications WHERE id IN (SELECT notification FROM alert_notification_alerts WHERE alert = $1) ORDER BY created_at DESC, n DESC LIMIT $2`,
            [q.alert, q.limit],
          );
    return rows.map(toNotificationRecord);
  }

  async appendAudit(e: AlertAuditEntry): Promise<void> {
    await this.pool.query(`INSERT INTO alert_audit (at, actor, action, target, doc) VALUES ($1, $2, $3, $4, $5)`, [e.at, e.actor, e.action, e.target, e.doc]);
  }

  async listAudit(q: { target?: string; limit: number }): Promise<AlertAuditRecord[]> {
    const { rows } =
      q.target === undefined
        ? await this.pool.query<AlertAuditRow>(`SELECT * FROM alert_audit ORDER BY n DESC LIMIT $1`, [q.limit])
        : await this.pool.query<AlertAuditRow>(`SELECT * FROM alert_audit WHERE target = $1 ORDER BY n DESC LIMIT $2`, [q.target, q.limit]);
    return rows.map(toAlertAuditRecord);
  }
}

/** ON CONFLICT may not touch a row twice in one statement: the last of a (rule, device) given twice wins, as in SQLite. */
async function writeStates(c: Queryable, rows: AlertStateRecord[]) {
  const unique = lastByKey(rows, stateKey);
  if (unique.length === 0) return;
  await c.query(
    `INSERT INTO alert_states (rule, device, state, updated_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
     ON CONFLICT (rule, device) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    [unique.map((r) => r.rule), unique.map((r) => r.device), unique.map((r) => r.state), unique.map((r) => r.updatedAt)],
  );
}

/** Ids in the order given: the rows are numbered and inserted in that order. */
async function writeTransitions(c: Queryable, rows: NewTransition[]) {
  if (rows.length === 0) return;
  await c.query(
    `INSERT INTO alert_transitions (rule, device, from_state, to_state, at, reason, value, episode)
     SELECT rule, device, from_state, to_state, at, reason, value, episode
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[])
       WITH ORDINALITY AS u(rule, device, from_state, to_state, at, reason, value, episode, i)
     ORDER BY i`,
    [rows.map((r) => r.rule), rows.map((r) => r.device), rows.map((r) => r.from), rows.map((r) => r.to), rows.map((r) => r.at), rows.map((r) => r.reason), rows.map((r) => r.value), rows.map((r) => r.episode)],
  );
}

async function writeAlerts(c: Queryable, rows: AlertRecord[]) {
  const unique = lastByKey(rows, (a) => a.id);
  if (unique.length === 0) return;
  await c.query(
    `INSERT INTO alerts (id, rule, device, state, severity, started_at, ended_at, last_value, ack, updated_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::bigint[])
     ON CONFLICT (id) DO UPDATE SET rule = excluded.rule, device = excluded.device, state = excluded.state, severity = excluded.severity,
       started_at = excluded.started_at, ended_at = excluded.ended_at, last_value = excluded.last_value, ack = excluded.ack, updated_at = excluded.updated_at`,
    [
      unique.map((a) => a.id), unique.map((a) => a.rule), unique.map((a) => a.device), unique.map((a) => a.state), unique.map((a) => a.severity),
      unique.map((a) => a.startedAt), unique.map((a) => a.endedAt), unique.map((a) => a.lastValue), unique.map((a) => a.ack), unique.map((a) => a.updatedAt),
    ],
  );
}

/** Two statements: the caller holds a transaction. */
async function writeNotifications(c: pg.PoolClient, rows: NewNotification[]) {
  if (rows.length === 0) return;
  const episodes = rows.map(episodesOf);
  await c.query(
    `INSERT INTO alert_notifications (id, receiver, payload, alerts, created_at, next_at)
     SELECT id, receiver, payload, alerts, created_at, next_at
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[]) WITH ORDINALITY AS u(id, receiver, payload, alerts, created_at, next_at, i)
     ORDER BY i`,
    [rows.map((n) => n.id), rows.map((n) => n.receiver), rows.map((n) => n.payload), episodes.map((e) => JSON.stringify(e)), rows.map((n) => n.createdAt), rows.map((n) => n.nextAt)],
  );
  const pairs = rows.flatMap((n, i) => episodes[i]!.map((e) => [e, n.id] as const));
  if (pairs.length === 0) return;
  await c.query(`INSERT INTO alert_notification_alerts (alert, notification) SELECT * FROM unnest($1::text[], $2::text[])`, [pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
}

async function writeMeta(c: Queryable, meta: Record<string, string>) {
  const entries = Object.entries(meta);
  if (entries.length === 0) return;
  await c.query(
    `INSERT INTO alert_meta (key, value) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [entries.map((e) => e[0]), entries.map((e) => e[1])],
  );
}
