import "server-only";
/**
 * The alerts part of the store in SQLite, on the store's reading connection (as rules.ts):
 * an evaluation writes a few rows per state change, far too little to need the writer thread.
 * Multi-row writes are IMMEDIATE transactions, so they take the write lock before reading
 * anything and never fail half way for the writer thread's sake (busy_timeout waits for it).
 */
import type Database from "better-sqlite3";
import {
  alertAuditMigration, alertsMigration, toAlertAuditRecord, type AlertAuditEntry, type AlertAuditRecord, type AlertAuditRow, episodesOf, toAlertRecord, toAlertRuleRecord, toAlertStateRecord, toNotificationRecord, toSilenceRecord, toTransitionRecord,
  type AlertBatch, type AlertPage, type AlertQuery, type AlertRecord, type AlertRow, type AlertRuleRecord, type AlertRuleRow, type AlertStateRecord, type AlertStateRow,
  type AlertStore, type NewNotification, type NewTransition, type NotificationRecord, type NotificationRow, type SilenceRecord, type SilenceRow, type TransitionPage,
  type TransitionQuery, type TransitionRow,
} from "../alerts";
import { decodeCursor, encodeCursor } from "../cursor";

/** Appended to the SQLite MIGRATIONS list. */
export const SQLITE_ALERTS_MIGRATION = alertsMigration({ int: "INTEGER", serial: "INTEGER PRIMARY KEY AUTOINCREMENT" });
export const SQLITE_ALERT_AUDIT_MIGRATION = alertAuditMigration({ int: "INTEGER", serial: "INTEGER PRIMARY KEY AUTOINCREMENT" });

type Params = Record<string, string | number | null>;

export class SqliteAlerts implements AlertStore {
  private readonly upsertState;
  private readonly insertTransition;
  private readonly upsertAlertRow;
  private readonly insertNotification;
  private readonly insertNotificationAlert;
  private readonly upsertMeta;
  private readonly writeBatch;

  constructor(private readonly db: Database.Database) {
    this.upsertState = db.prepare(
      `INSERT INTO alert_states (rule, device, state, updated_at) VALUES (@rule, @device, @state, @updatedAt)
       ON CONFLICT (rule, device) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    );
    this.insertTransition = db.prepare(
      `INSERT INTO alert_transitions (rule, device, from_state, to_state, at, reason, value, episode) VALUES (@rule, @device, @from, @to, @at, @reason, @value, @episode)`,
    );
    this.upsertAlertRow = db.prepare(
      `INSERT INTO alerts (id, rule, device, state, severity, started_at, ended_at, last_value, ack, updated_at)
       VALUES (@id, @rule, @device, @state, @severity, @startedAt, @endedAt, @lastValue, @ack, @updatedAt)
       ON CONFLICT (id) DO UPDATE SET rule = excluded.rule, device = excluded.device, state = excluded.state, severity = excluded.severity,
         started_at = excluded.started_at, ended_at = excluded.ended_at, last_value = excluded.last_value, ack = excluded.ack, updated_at = excluded.updated_at`,
    );
    this.insertNotification = db.prepare(
      `INSERT INTO alert_notifications (id, receiver, payload, alerts, created_at, next_at) VALUES (@id, @receiver, @payload, @alerts, @createdAt, @nextAt)`,
    );
    this.insertNotificationAlert = db.prepare(`INSERT INTO alert_notification_alerts (alert, notification) VALUES (?, ?)`);
    this.upsertMeta = db.prepare(`INSERT INTO alert_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
    this.writeBatch = db.transaction((b: AlertBatch) => {
      for (const s of b.states ?? []) this.upsertState.run(s);
      for (const t of b.transitions ?? []) this.insertTransition.run(t);
      for (const a of b.alerts ?? []) this.upsertAlertRow.run(a);
      for (const n of b.notifications ?? []) this.addNotification(n);
      for (const [k, v] of Object.entries(b.meta ?? {})) this.upsertMeta.run(k, v);
    });
  }

  async listRules(): Promise<AlertRuleRecord[]> {
    return this.db.prepare<[], AlertRuleRow>(`SELECT * FROM alert_rules ORDER BY created_at, id`).all().map(toAlertRuleRecord);
  }

  async getRule(id: string): Promise<AlertRuleRecord | null> {
    const r = this.db.prepare<[string], AlertRuleRow>(`SELECT * FROM alert_rules WHERE id = ?`).get(id);
    return r ? toAlertRuleRecord(r) : null;
  }

  async saveRule(r: AlertRuleRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO alert_rules (id, body, created_at, created_by, updated_at, updated_by) VALUES (@id, @body, @createdAt, @createdBy, @updatedAt, @updatedBy)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run(r);
  }

  async removeRule(id: string): Promise<boolean> {
    return this.db.prepare(`DELETE FROM alert_rules WHERE id = ?`).run(id).changes === 1;
  }

  async loadStates(): Promise<AlertStateRecord[]> {
    return this.db.prepare<[], AlertStateRow>(`SELECT * FROM alert_states ORDER BY rule, device`).all().map(toAlertStateRecord);
  }

  async saveStates(rows: AlertStateRecord[]): Promise<void> {
    this.writeBatch.immediate({ states: rows });
  }

  async removeStates(rule: string): Promise<number> {
    return this.db.prepare(`DELETE FROM alert_states WHERE rule = ?`).run(rule).changes;
  }

  async appendTransitions(rows: NewTransition[]): Promise<void> {
    this.writeBatch.immediate({ transitions: rows });
  }

  async listTransitions(q: TransitionQuery): Promise<TransitionPage> {
    const where: string[] = [];
    const p: Params = { limit: q.limit + 1 };
    for (const col of ["rule", "device", "episode"] as const) {
      if (q[col] !== undefined) where.push(`${col} = @${col}`), (p[col] = q[col]!);
    }
    if (q.from !== undefined) where.push("at >= @from"), (p.from = q.from);
    if (q.to !== undefined) where.push("at <= @to"), (p.to = q.to);
    if (q.before !== undefined) where.push("(at, id) < (SELECT at, id FROM alert_transitions WHERE id = @before)"), (p.before = q.before);
    const rows = this.db
      .prepare<Params, TransitionRow>(`SELECT * FROM alert_transitions ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY at DESC, id DESC LIMIT @limit`)
      .all(p);
    const page = rows.slice(0, q.limit).map(toTransitionRecord);
    const last = page.at(-1);
    return { transitions: page, next: rows.length > q.limit && last ? last.id : null };
  }

  async upsertAlert(a: AlertRecord): Promise<void> {
    this.upsertAlertRow.run(a);
  }

  async getAlert(id: string): Promise<AlertRecord | null> {
    const r = this.db.prepare<[string], AlertRow>(`SELECT * FROM alerts WHERE id = ?`).get(id);
    return r ? toAlertRecord(r) : null;
  }

  async listAlerts(q: AlertQuery): Promise<AlertPage> {
    const where: string[] = [];
    const p: Params = { limit: q.limit + 1 };
    if (q.state !== undefined) {
      q.state.forEach((s, i) => (p[`s${i}`] = s));
      where.push(`state IN (${q.state.map((_, i) => `@s${i}`).join(", ")})`);
    }
    if (q.device !== undefined) where.push("device = @device"), (p.device = q.device);
    if (q.to !== undefined) where.push("started_at <= @to"), (p.to = q.to);
    if (q.from !== undefined) where.push("(ended_at IS NULL OR ended_at >= @from)"), (p.from = q.from);
    if (q.cursor !== undefined) {
      const c = decodeCursor(q.cursor);
      where.push("(started_at, n) < (@cts, @cn)");
      p.cts = c.ts;
      p.cn = c.id;
    }
    const rows = this.db
      .prepare<Params, AlertRow>(`SELECT * FROM alerts ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY started_at DESC, n DESC LIMIT @limit`)
      .all(p);
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return { alerts: page.map(toAlertRecord), next: rows.length > q.limit && last ? encodeCursor({ ts: last.started_at as number, id: last.n as number }) : null };
  }

  async setAck(id: string, ack: string | null): Promise<boolean> {
    return this.db.prepare(`UPDATE alerts SET ack = ? WHERE id = ?`).run(ack, id).changes === 1;
  }

  async saveSilence(s: SilenceRecord): Promise<void> {
    this.db
      .prepare(`INSERT INTO alert_silences (id, body, created_by, created_at, starts_at, ends_at) VALUES (@id, @body, @createdBy, @createdAt, @startsAt, @endsAt)`)
      .run(s);
  }

  async listSilences(q: { activeAt?: number } = {}): Promise<SilenceRecord[]> {
    const rows =
      q.activeAt === undefined
        ? this.db.prepare<[], SilenceRow>(`SELECT * FROM alert_silences ORDER BY created_at DESC, id DESC`).all()
        : this.db.prepare<[number, number], SilenceRow>(`SELECT * FROM alert_silences WHERE starts_at <= ? AND ends_at > ? ORDER BY created_at DESC, id DESC`).all(q.activeAt, q.activeAt);
    return rows.map(toSilenceRecord);
  }

  async expireSilence(id: string, at: number): Promise<boolean> {
    return this.db.prepare(`UPDATE alert_silences SET ends_at = @at WHERE id = @id AND ends_at > @at`).run({ id, at }).changes === 1;
  }

  async getMeta(key: string): Promise<string | null> {
    return this.db.prepare<[string], { value: string }>(`SELECT value FROM alert_meta WHERE key = ?`).get(key)?.value ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.upsertMeta.run(key, value);
  }

  async takeLease(key: string, holder: string, now: number, expiresAt: number): Promise<boolean> {
    const value = JSON.stringify({ holder, expiresAt });
    return (
      this.db
        .prepare(
          `INSERT INTO alert_meta (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value
           WHERE json_extract(alert_meta.value, '$.holder') = @holder OR json_extract(alert_meta.value, '$.expiresAt') <= @now`,
        )
        .run({ key, value, holder, now }).changes === 1
    );
  }

  async releaseLease(key: string, holder: string): Promise<void> {
    this.db.prepare(`DELETE FROM alert_meta WHERE key = ? AND json_extract(value, '$.holder') = ?`).run(key, holder);
  }

  async enqueueNotifications(rows: NewNotification[]): Promise<void> {
    this.writeBatch.immediate({ notifications: rows });
  }

  async commitTransitionBatch(batch: AlertBatch): Promise<void> {
    this.writeBatch.immediate(batch);
  }

  async dueNotifications(now: number, limit: number): Promise<NotificationRecord[]> {
    return this.db
      .prepare<[number, number], NotificationRow>(`SELECT * FROM alert_notifications WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, n LIMIT ?`)
      .all(now, limit)
      .map(toNotificationRecord);
  }

  async markDelivered(id: string, at: number, status: string): Promise<boolean> {
    return (
      this.db
        .prepare(
          `UPDATE alert_notifications SET state = 'delivered', next_at = NULL, attempts = attempts + 1, last_attempt_at = @at, delivered_at = @at, status = @status
           WHERE id = @id AND state = 'pending'`,
        )
        .run({ id, at, status }).changes === 1
    );
  }

  async markFailed(id: string, at: number, error: string, nextAt: number | null): Promise<boolean> {
    return (
      this.db
        .prepare(
          `UPDATE alert_notifications SET state = CASE WHEN @nextAt IS NULL THEN 'failed' ELSE 'pending' END, next_at = @nextAt,
             attempts = attempts + 1, last_attempt_at = @at, last_error = @error
           WHERE id = @id AND state = 'pending'`,
        )
        .run({ id, at, error, nextAt }).changes === 1
    );
  }

  async listDeliveries(q: { alert?: string; limit: number }): Promise<NotificationRecord[]> {
    const rows =
      q.alert === undefined
        ? this.db.prepare<[number], NotificationRow>(`SELECT * FROM alert_notifications ORDER BY created_at DESC, n DESC LIMIT ?`).all(q.limit)
        : this.db
            .prepare<[string, number], NotificationRow>(
              `SELECT * FROM alert_notifications WHERE id IN (SELECT notification FROM alert_notification_alerts WHERE alert = ?) ORDER BY created_at DESC, n DESC LIMIT ?`,
            )
            .all(q.alert, q.limit);
    return rows.map(toNotificationRecord);
  }

  private addNotification(n: NewNotification) {
    const episodes = episodesOf(n);
    this.insertNotification.run({ id: n.id, receiver: n.receiver, payload: n.payload, alerts: JSON.stringify(episodes), createdAt: n.createdAt, nextAt: n.nextAt });
    for (const e of episodes) this.insertNotificationAlert.run(e, n.id);
  }

  async appendAudit(e: AlertAuditEntry): Promise<void> {
    this.db.prepare(`INSERT INTO alert_audit (at, actor, action, target, doc) VALUES (@at, @actor, @action, @target, @doc)`).run(e);
  }

  async listAudit(q: { target?: string; limit: number }): Promise<AlertAuditRecord[]> {
    const rows =
      q.target === undefined
        ? this.db.prepare<[number], AlertAuditRow>(`SELECT * FROM alert_audit ORDER BY n DESC LIMIT ?`).all(q.limit)
        : this.db.prepare<[string, number], AlertAuditRow>(`SELECT * FROM alert_audit WHERE target = ? ORDER BY n DESC LIMIT ?`).all(q.target, q.limit);
    return rows.map(toAlertAuditRecord);
  }
}
