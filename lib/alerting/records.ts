/**
 * The alerts' stored records (lib/store/alerts.ts) read back into lib/alerts' types and shaped
 * for the API: rules, silences, alerts (episodes) with their transitions and deliveries. The
 * store checks nothing inside its JSON texts; these do, so a row that does not parse is reported
 * with its reason rather than served half-read. No I/O (only new ids draw random bytes): the
 * routes and the service share it.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { alertLabels, type Labels } from "../alerts/labels";
import { alertRuleSchema, type AlertRule } from "../alerts/rule";
import { isActive, isSilenced, silenceBodySchema, type Silence, type SilenceBody } from "../alerts/silence";
import { ALERT_STATUSES, type AlertStatus } from "../alerts/state";
import { asDeviceId } from "../devices/model";
import type { AlertRecord, AlertRuleRecord, NotificationRecord, SilenceRecord, TransitionRecord } from "../store/alerts";

export type ReadRule = { ok: true; rule: AlertRule } | { ok: false; reason: string };

export function readRule(r: AlertRuleRecord): ReadRule {
  const parsed = alertRuleSchema.safeParse(parseJson(r.body));
  if (parsed.success) return { ok: true, rule: parsed.data };
  return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join(".") || "rule"}: ${i.message}`).join("; ") };
}

/** A rule as the API answers it: the rule itself, and who made and last changed it when. */
export function apiRule(r: AlertRuleRecord) {
  const read = readRule(r);
  const about = { createdAt: r.createdAt, createdBy: r.createdBy, updatedAt: r.updatedAt, updatedBy: r.updatedBy };
  return read.ok ? { ...read.rule, ...about } : { id: r.id, problem: read.reason, ...about };
}

/** A new rule's id: its name as a slug, and a random tail (readable in labels and URLs, never reused). */
export function newRuleId(name: string): string {
  const slug = name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);
  return `${slug || "rule"}-${randomBytes(4).toString("hex")}`;
}

/** The silence body as stored: the window lives in the record's columns. */
const storedSilence = z.object({ matchers: silenceBodySchema.shape.matchers, comment: z.string() });

export function readSilence(r: SilenceRecord): Silence | null {
  const parsed = storedSilence.safeParse(parseJson(r.body));
  if (!parsed.success) return null;
  return { id: r.id, matchers: parsed.data.matchers, comment: parsed.data.comment, createdBy: r.createdBy, startsAt: r.startsAt, endsAt: r.endsAt };
}

export function silenceRecordOf(body: SilenceBody, id: string, now: number): SilenceRecord {
  return { id, body: JSON.stringify({ matchers: body.matchers, comment: body.comment }), createdBy: body.createdBy, createdAt: now, startsAt: body.startsAt ?? now, endsAt: body.endsAt };
}

export function apiSilence(r: SilenceRecord, now: number) {
  const s = readSilence(r);
  const state = now < r.startsAt ? "pending" : now < r.endsAt ? "active" : "expired";
  if (!s) return { id: r.id, problem: "the stored silence does not parse", createdBy: r.createdBy, createdAt: r.createdAt, startsAt: r.startsAt, endsAt: r.endsAt, state };
  return { id: s.id, matchers: s.matchers, comment: s.comment, createdBy: s.createdBy, createdAt: r.createdAt, startsAt: s.startsAt, endsAt: s.endsAt, state };
}

/** The labels an alert is silenced by: its rule's and its device's, as the evaluator sets them. */
export function labelsOf(rule: AlertRule, device: string, where: { group: string | null; convention: string | null }): Labels {
  return alertLabels(rule, { device: asDeviceId(device), group: where.group, convention: where.convention });
}

export function silencedNow(labels: Labels | null, silences: readonly Silence[], now: number): boolean {
  return labels !== null && isSilenced({ labels }, silences.filter((s) => isActive(s, now)), now);
}

export function apiTransition(t: TransitionRecord) {
  return { from: t.from as AlertStatus, to: t.to as AlertStatus, at: t.at, reason: t.reason, value: parseJson(t.value) as ObservedValue };
}

export function apiDelivery(n: NotificationRecord) {
  return {
    id: n.id, receiver: n.receiver, state: n.state, createdAt: n.createdAt, attempts: n.attempts, lastAttemptAt: n.lastAttemptAt,
    deliveredAt: n.deliveredAt, nextAt: n.nextAt, status: n.status, lastError: n.lastError, alertStatus: payloadStatus(n.payload),
  };
}

/** An alert (one episode) as GET /api/alerts lists it. */
/** A value as the evaluator observed it and the store keeps it, as JSON text. */
type ObservedValue = number | string | null;

export function apiAlert(a: AlertRecord, rule: AlertRule | null, silenced: boolean) {
  const ack = parseJson(a.ack) as { by: string; at: number; comment: string } | null;
  return {
    id: a.id,
    rule: a.rule,
    ruleName: rule?.name ?? null,
    device: a.device,
    state: a.state as AlertStatus,
    severity: a.severity,
    startedAt: a.startedAt,
    endedAt: a.endedAt,
    value: parseJson(a.lastValue) as ObservedValue,
    ack: ack ? { by: ack.by, at: ack.at, comment: ack.comment } : null,
    silenced,
  };
}

/** GET /api/alerts' query. */
export const MAX_ALERTS_LIMIT = 500;
const epochMs = z.coerce.number({ error: "must be epoch milliseconds" }).int("must be epoch milliseconds").min(0, "must be epoch milliseconds");
export const alertQuerySchema = z
  .strictObject({
    state: z
      .string()
      .transform((s) => s.split(",").map((x) => x.trim()).filter((x) => x !== ""))
      .pipe(z.array(z.enum(ALERT_STATUSES, { error: `each must be one of ${ALERT_STATUSES.join(", ")}` })))
      .optional(),
    device: z.string().min(1).max(200).optional(),
    from: epochMs.optional(),
    to: epochMs.optional(),
    limit: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(MAX_ALERTS_LIMIT, `must be at most ${MAX_ALERTS_LIMIT}`).default(100),
    cursor: z.string().max(500).optional(),
    transitions: z.enum(["true", "false"], { error: "must be true or false" }).optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { path: ["to"], message: "must not be before from" });

/** A firing or resolved webhook payload says which in its `status`. */
function payloadStatus(payload: string): string | null {
  const p = parseJson(payload) as { status?: unknown } | null;
  return typeof p?.status === "string" ? p.status : null;
}

export function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
