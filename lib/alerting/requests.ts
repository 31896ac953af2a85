import "server-only";
/**
 * What the alert routes share: ids checked, the rules and silences in force read once per
 * request, an episode shaped for the API with whether a silence covers it now, and the audit
 * entry every change writes. Each route calls guard() before anything here looks anything up.
 */
import { z } from "zod";
import type { Actor } from "../auth/roles";
import type { AlertRule } from "../alerts/rule";
import type { Silence } from "../alerts/silence";
import { asDeviceId } from "../devices/model";
import type { AlertAuditAction, AlertRecord } from "../store/alerts";
import type { Store } from "../store/types";
import { alertService } from "./shared";
import { apiAlert, labelsOf, readRule, readSilence, silencedNow } from "./records";

export const alertIdParam = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, "must be an alert id");
export const ruleIdParam = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be a rule id");
export const silenceIdParam = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, "must be a silence id");

/** The rules and the silences active now, for shaping several alerts. */
export interface AlertContext {
  now: number;
  rules: Map<string, AlertRule>;
  silences: Silence[];
}

export async function alertContext(s: Store): Promise<AlertContext> {
  const now = Date.now();
  const rules = new Map<string, AlertRule>();
  for (const r of await s.alerts.listRules()) {
    const read = readRule(r);
    if (read.ok) rules.set(r.id, read.rule);
  }
  const silences = (await s.alerts.listSilences({ activeAt: now })).flatMap((r) => readSilence(r) ?? []);
  return { now, rules, silences };
}

/** An episode as the API lists it; whether a silence covers it is asked only when one is active. */
export async function shapeAlert(s: Store, ctx: AlertContext, a: AlertRecord) {
  const rule = ctx.rules.get(a.rule) ?? null;
  let silenced = false;
  if (rule && ctx.silences.length > 0) {
    // The group and convention labels as the evaluator has them, else as the store knows the device.
    const live = alertService()?.state(a.rule, a.device);
    const device = live ? null : await s.getDevice(asDeviceId(a.device));
    const where = live ? { group: live.group, convention: live.convention } : { group: device?.group ?? null, convention: device?.convention ?? null };
    silenced = silencedNow(labelsOf(rule, a.device, where), ctx.silences, ctx.now);
  }
  return { ...apiAlert(a, rule, silenced), ruleName: rule?.name ?? a.rule };
}

export async function audit(s: Store, actor: Actor, action: AlertAuditAction, target: string, doc: unknown): Promise<void> {
  await s.alerts.appendAudit({ at: Date.now(), actor: actor.username, action, target, doc: doc === null ? null : JSON.stringify(doc) });
}

/** A rule lists at most 1,000 devices (lib/alerts/rule.ts): well inside this. */
export const MAX_ALERT_RULE_BYTES = 128 * 1024;

/** Who changed what, for a rule's or an alert's page. */
export const AUDIT_LISTED = 50;

const MAX_ACK_COMMENT = 2000;
/** POST /api/alerts/{id}/ack. */
export const ackBody = z.strictObject({ comment: z.string().trim().max(MAX_ACK_COMMENT, `must be at most ${MAX_ACK_COMMENT} characters`).default("") });

/** GET /api/silences. */
export const silencesQuery = z.strictObject({ state: z.enum(["active", "all"], { error: "must be active or all" }).default("all") });
