/**
 * The alerts part of the store (issue 19): what the alert evaluator (lib/alerts/evaluator.ts) and
 * the notification planner (lib/alerts/grouping.ts) keep so that a restart resumes pending timers
 * and firing alerts, loses no transition and sends nothing twice. Both implementations
 * (sqlite/alerts.ts, postgres/alerts.ts) pass test/alerts.contract.ts.
 *
 * The store checks nothing inside the JSON texts it keeps (rule bodies, states, silences, values,
 * acks, payloads): lib/alerts validates them on reading, so a row an older version wrote is
 * refused with a reason rather than lost. Every text is bound as a parameter, never SQL.
 *
 * The main write path is `commitTransitionBatch`: the states an evaluation changed, its
 * transitions, the episodes they open or close, the notifications the planner made of them and
 * the two snapshots (meta) go in one transaction. Notifications are delivered after the commit
 * (`dueNotifications`, then `markDelivered` or `markFailed`), so one is sent at least once and,
 * unless the process dies between a receiver's answer and `markDelivered`, exactly once.
 *
 * The episodes a notification covers are kept twice: as JSON text on the notification (read
 * back with it) and as (alert, notification) rows of a side table, which `listDeliveries`
 * filters by with an exact match: no LIKE, so no id is a prefix or a pattern of another.
 */

/** A stored alert rule (lib/alerts/rule.ts `alertRuleSchema`) as the JSON text it was saved with. */
export interface AlertRuleRecord {
  id: string;
  body: string;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
}

/** One rule on one device: the evaluator's AlertState (lib/alerts/state.ts) as JSON text. */
export interface AlertStateRecord {
  rule: string;
  device: string;
  state: string;
  updatedAt: number;
}

/** A transition to append: the evaluator's Transition plus the episode it belongs to. */
export interface NewTransition {
  rule: string;
  device: string;
  from: string;
  to: string;
  at: number;
  reason: string;
  /** The value that caused it, as JSON text; null when there was none. */
  value: string | null;
  /** The id of the episode (AlertRecord) it belongs to. */
  episode: string;
}

/** An appended transition; ids grow in the order transitions were appended. */
export interface TransitionRecord extends NewTransition {
  id: number;
}

export interface TransitionQuery {
  rule?: string;
  device?: string;
  episode?: string;
  /** `at` in [from, to]. */
  from?: number;
  to?: number;
  limit: number;
  /** A previous page's `next`: the id of the last transition it served. */
  before?: number;
}

export interface TransitionPage {
  /** Newest first: by `at`, then by id. */
  transitions: TransitionRecord[];
  next: number | null;
}

/** An alert as GET /api/alerts lists it: one episode of a rule on a device, from pending to resolved. */
export interface AlertRecord {
  id: string;
  rule: string;
  device: string;
  state: string;
  severity: string;
  startedAt: number;
  endedAt: number | null;
  /** JSON text; null when there was none. */
  lastValue: string | null;
  /** The acknowledgement (lib/alerts/state.ts `Ack`) as JSON text; null when there is none. */
  ack: string | null;
  updatedAt: number;
}

export interface AlertQuery {
  /** Any of these states; an empty list matches none. */
  state?: string[];
  device?: string;
  /** Alerts open at some time in [from, to]: started by `to` and not ended before `from`. */
  from?: number;
  to?: number;
  limit: number;
  /** Opaque, from a previous page's `next`. */
  cursor?: string;
}

export interface AlertPage {
  /** Newest first: by startedAt. */
  alerts: AlertRecord[];
  next: string | null;
}

/**
 * A silence (lib/alerts/silence.ts): its matchers and comment in `body`; the window is in the
 * columns, which are what counts (expiring one moves `endsAt`, not the body).
 */
export interface SilenceRecord {
  id: string;
  body: string;
  createdBy: string;
  createdAt: number;
  startsAt: number;
  endsAt: number;
}

/** A notification to send: one planned notification (lib/alerts/grouping.ts) for one receiver. */
export interface NewNotification {
  /** Made by the caller, unique. */
  id: string;
  /** Which receiver: a webhook URL, an email address. */
  receiver: string;
  /** What is sent, as it is sent (the webhook's JSON). */
  payload: string;
  /** The ids of the episodes it tells of (its delivery log is theirs). */
  alerts: string[];
  createdAt: number;
  /** When to try first. */
  nextAt: number;
}

/** pending: to be tried at nextAt; delivered: a receiver took it; failed: given up. */
export type NotificationState = "pending" | "delivered" | "failed";

export interface NotificationRecord extends Omit<NewNotification, "nextAt"> {
  state: NotificationState;
  /** When pending: when it is due; null once delivered or given up. */
  nextAt: number | null;
  attempts: number;
  lastAttemptAt: number | null;
  deliveredAt: number | null;
  /** The receiver's answer to the delivery ("200", "250 2.0.0 Ok"). */
  status: string | null;
  lastError: string | null;
}

/** What an operator did to alerts, for the audit trail (kept past retention, as the command log is). */
export type AlertAuditAction = "rule.created" | "rule.updated" | "rule.deleted" | "alert.acked" | "silence.created" | "silence.expired";

export interface AlertAuditEntry {
  at: number;
  actor: string;
  action: AlertAuditAction;
  /** What it was done to: "rule:<id>", "alert:<id>", "silence:<id>". */
  target: string;
  /** The thing after the change, as JSON text; null for a deletion. */
  doc: string | null;
}

export interface AlertAuditRecord extends AlertAuditEntry {
  n: number;
}

/** What one evaluation writes, in one transaction (every part may be left out). */
export interface AlertBatch {
  states?: AlertStateRecord[];
  transitions?: NewTransition[];
  alerts?: AlertRecord[];
  notifications?: NewNotification[];
  /** Keys and values for `getMeta`: the evaluator's and the planner's snapshots. */
  meta?: Record<string, string>;
}

export interface AlertStore {
  /** Oldest first. */
  listRules(): Promise<AlertRuleRecord[]>;
  getRule(id: string): Promise<AlertRuleRecord | null>;
  /** Creates the rule, or replaces its body and updatedAt/updatedBy (createdAt/createdBy stay). */
  saveRule(rule: AlertRuleRecord): Promise<void>;
  /** False when there is no such rule. Its states stay until `removeStates`. */
  removeRule(id: string): Promise<boolean>;

  /** Every stored state, by rule and device. */
  loadStates(): Promise<AlertStateRecord[]>;
  /** Creates or replaces each (rule, device)'s state, all in one transaction; the last of a pair given twice wins. */
  saveStates(rows: AlertStateRecord[]): Promise<void>;
  /** The rule's states on every device; how many went. */
  removeStates(rule: string): Promise<number>;

  /** Appends in one transaction, ids in the order given. */
  appendTransitions(rows: NewTransition[]): Promise<void>;
  listTransitions(query: TransitionQuery): Promise<TransitionPage>;

  /** Creates the episode or writes every column of it over the stored one (ack too). */
  upsertAlert(alert: AlertRecord): Promise<void>;
  getAlert(id: string): Promise<AlertRecord | null>;
  /** Throws InvalidCursorError (lib/store/types.ts) for a cursor this store did not make. */
  listAlerts(query: AlertQuery): Promise<AlertPage>;
  /** False when there is no such alert. */
  setAck(id: string, ack: string | null): Promise<boolean>;

  /** Throws when the id is taken. */
  saveSilence(silence: SilenceRecord): Promise<void>;
  /** Newest first (by createdAt); `activeAt`: only those with startsAt <= activeAt < endsAt. */
  listSilences(query?: { activeAt?: number }): Promise<SilenceRecord[]>;
  /** Ends the silence at `at` (the row stays, for the audit); false when there is none that had not ended by then. */
  expireSilence(id: string, at: number): Promise<boolean>;

  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;

  /**
   * Takes or renews the lease `key` (a meta row, value `{"holder","expiresAt"}`) for `holder`
   * until `expiresAt`: when no one holds it, its holder's time ran out by `now`, or `holder`
   * holds it already. One atomic statement, so of several processes asking at once one wins.
   * True when `holder` holds it now.
   */
  takeLease(key: string, holder: string, now: number, expiresAt: number): Promise<boolean>;
  /** Gives the lease up, if `holder` holds it: another process may take it at once. */
  releaseLease(key: string, holder: string): Promise<void>;

  /** Adds to the outbox in one transaction; throws (and adds none) when an id is taken. */
  enqueueNotifications(rows: NewNotification[]): Promise<void>;
  /** Everything in `batch`, in one transaction: all of it is stored, or (it throws) none. */
  commitTransitionBatch(batch: AlertBatch): Promise<void>;
  /** Pending notifications with nextAt <= now, soonest first, at most `limit`. */
  dueNotifications(now: number, limit: number): Promise<NotificationRecord[]>;
  /** A pending notification was taken by its receiver; false when it was not pending. */
  markDelivered(id: string, at: number, status: string): Promise<boolean>;
  /** A pending notification's attempt failed: retried at `nextAt`, or given up with null; false when it was not pending. */
  markFailed(id: string, at: number, error: string, nextAt: number | null): Promise<boolean>;
  /** The outbox, newest first; `alert` narrows to the notifications that told of that episode. */
  listDeliveries(query: { alert?: string; limit: number }): Promise<NotificationRecord[]>;

  appendAudit(entry: AlertAuditEntry): Promise<void>;
  /** Newest first; `target` narrows to one rule's, alert's or silence's entries (exact match). */
  listAudit(query: { target?: string; limit: number }): Promise<AlertAuditRecord[]>;
}

/** The tables, one text for both stores: only the column types differ. History is kept past retention, as commands are. */
export function alertsMigration(t: { int: string; serial: string }): string {
  return `CREATE TABLE alert_rules (
     id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at ${t.int} NOT NULL, created_by TEXT NOT NULL, updated_at ${t.int} NOT NULL, updated_by TEXT NOT NULL
   );
   CREATE TABLE alert_states (rule TEXT NOT NULL, device TEXT NOT NULL, state TEXT NOT NULL, updated_at ${t.int} NOT NULL, PRIMARY KEY (rule, device));
   CREATE TABLE alert_transitions (
     id ${t.serial}, rule TEXT NOT NULL, device TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL,
     at ${t.int} NOT NULL, reason TEXT NOT NULL, value TEXT, episode TEXT NOT NULL
   );
   CREATE INDEX alert_transitions_at ON alert_transitions (at, id);
   CREATE INDEX alert_transitions_device_at ON alert_transitions (device, at);
   CREATE INDEX alert_transitions_episode ON alert_transitions (episode, at);
   CREATE TABLE alerts (
     n ${t.serial}, id TEXT NOT NULL UNIQUE, rule TEXT NOT NULL, device TEXT NOT NULL, state TEXT NOT NULL, severity TEXT NOT NULL,
     started_at ${t.int} NOT NULL, ended_at ${t.int}, last_value TEXT, ack TEXT, updated_at ${t.int} NOT NULL
   );
   CREATE INDEX alerts_state ON alerts (state);
   CREATE INDEX alerts_device ON alerts (device);
   CREATE INDEX alerts_started ON alerts (started_at, n);
   CREATE TABLE alert_silences (
     id TEXT PRIMARY KEY, body TEXT NOT NULL, created_by TEXT NOT NULL, created_at ${t.int} NOT NULL, starts_at ${t.int} NOT NULL, ends_at ${t.int} NOT NULL
   );
   CREATE INDEX alert_silences_ends ON alert_silences (ends_at);
   CREATE TABLE alert_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE alert_notifications (
     n ${t.serial}, id TEXT NOT NULL UNIQUE, receiver TEXT NOT NULL, payload TEXT NOT NULL, alerts TEXT NOT NULL,
     created_at ${t.int} NOT NULL, state TEXT NOT NULL DEFAULT 'pending', next_at ${t.int}, attempts INTEGER NOT NULL DEFAULT 0,
     last_attempt_at ${t.int}, delivered_at ${t.int}, status TEXT, last_error TEXT
   );
   CREATE INDEX alert_notifications_due ON alert_notifications (next_at, n) WHERE state = 'pending';
   CREATE INDEX alert_notifications_created ON alert_notifications (created_at, n);
   CREATE TABLE alert_notification_alerts (alert TEXT NOT NULL, notification TEXT NOT NULL, PRIMARY KEY (alert, notification));`;
}

/** The audit trail's table: a migration of its own, after the one above (stores made before it gain it). */
export function alertAuditMigration(t: { int: string; serial: string }): string {
  return `CREATE TABLE alert_audit (n ${t.serial}, at ${t.int} NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, doc TEXT);
   CREATE INDEX alert_audit_target ON alert_audit (target, n);`;
}

export interface AlertAuditRow {
  n: number | string;
  at: number | string;
  actor: string;
  action: string;
  target: string;
  doc: string | null;
}

export const toAlertAuditRecord = (r: AlertAuditRow): AlertAuditRecord => ({
  n: Number(r.n), at: Number(r.at), actor: r.actor, action: r.action as AlertAuditAction, target: r.target, doc: r.doc,
});

type Int = number | string;
const nullableInt = (v: Int | null): number | null => (v === null ? null : Number(v));

export interface AlertRuleRow {
  id: string;
  body: string;
  created_at: Int;
  created_by: string;
  updated_at: Int;
  updated_by: string;
}

export interface AlertStateRow {
  rule: string;
  device: string;
  state: string;
  updated_at: Int;
}

export interface TransitionRow {
  id: Int;
  rule: string;
  device: string;
  from_state: string;
  to_state: string;
  at: Int;
  reason: string;
  value: string | null;
  episode: string;
}

export interface AlertRow {
  n: Int;
  id: string;
  rule: string;
  device: string;
  state: string;
  severity: string;
  started_at: Int;
  ended_at: Int | null;
  last_value: string | null;
  ack: string | null;
  updated_at: Int;
}

export interface SilenceRow {
  id: string;
  body: string;
  created_by: string;
  created_at: Int;
  starts_at: Int;
  ends_at: Int;
}

export interface NotificationRow {
  n: Int;
  id: string;
  receiver: string;
  payload: string;
  alerts: string;
  created_at: Int;
  state: string;
  next_at: Int | null;
  attempts: Int;
  last_attempt_at: Int | null;
  delivered_at: Int | null;
  status: string | null;
  last_error: string | null;
}

/** PostgreSQL hands BIGINT back as text. */
export const toAlertRuleRecord = (r: AlertRuleRow): AlertRuleRecord => ({
  id: r.id, body: r.body, createdAt: Number(r.created_at), createdBy: r.created_by, updatedAt: Number(r.updated_at), updatedBy: r.updated_by,
});

export const toAlertStateRecord = (r: AlertStateRow): AlertStateRecord => ({ rule: r.rule, device: r.device, state: r.state, updatedAt: Number(r.updated_at) });

export const toTransitionRecord = (r: TransitionRow): TransitionRecord => ({
  id: Number(r.id), rule: r.rule, device: r.device, from: r.from_state, to: r.to_state, at: Number(r.at), reason: r.reason, value: r.value, episode: r.episode,
});

export const toAlertRecord = (r: AlertRow): AlertRecord => ({
  id: r.id, rule: r.rule, device: r.device, state: r.state, severity: r.severity, startedAt: Number(r.started_at), endedAt: nullableInt(r.ended_at),
  lastValue: r.last_value, ack: r.ack, updatedAt: Number(r.updated_at),
});

export const toSilenceRecord = (r: SilenceRow): SilenceRecord => ({
  id: r.id, body: r.body, createdBy: r.created_by, createdAt: Number(r.created_at), startsAt: Number(r.starts_at), endsAt: Number(r.ends_at),
});

export const toNotificationRecord = (r: NotificationRow): NotificationRecord => ({
  id: r.id, receiver: r.receiver, payload: r.payload, alerts: JSON.parse(r.alerts) as string[], createdAt: Number(r.created_at),
  state: r.state as NotificationState, nextAt: nullableInt(r.next_at), attempts: Number(r.attempts), lastAttemptAt: nullableInt(r.last_attempt_at),
  deliveredAt: nullableInt(r.delivered_at), status: r.status, lastError: r.last_error,
});

/** The last row of each key, in first-seen order: one statement may not write a row twice (PostgreSQL's ON CONFLICT refuses it). */
export function lastByKey<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const m = new Map<string, T>();
  for (const r of rows) m.set(key(r), r);
  return [...m.values()];
}

export const stateKey = (r: AlertStateRecord) => JSON.stringify([r.rule, r.device]);

/** A notification's episodes, each once. */
export const episodesOf = (n: NewNotification): string[] => [...new Set(n.alerts)];
