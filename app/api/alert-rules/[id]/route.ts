import { NextResponse } from "next/server";
import { z } from "zod";
import { guard, type Role } from "@/lib/http/guard";
import type { Actor } from "@/lib/auth/roles";
import { ruleBodySchema } from "@/lib/alerts/rule";
import { apiRule, parseJson } from "@/lib/alerting/records";
import { audit, AUDIT_LISTED, MAX_ALERT_RULE_BYTES, ruleIdParam } from "@/lib/alerting/requests";
import { alertService } from "@/lib/alerting/shared";
import { readJsonBody } from "@/lib/http/body";
import { store } from "@/lib/http/context";
import { apiError, badRequest, describeZodError, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import type { AlertRuleRecord } from "@/lib/store/alerts";

export const dynamic = "force-dynamic";
export const { POST, PUT } = otherMethods("GET", "PATCH", "DELETE");

type Ctx = { params: Promise<{ id: string }> };

/** The guard first, then the id, then the rule. */
async function requested(req: Request, ctx: Ctx, need: Role): Promise<{ actor: Actor; record: AlertRuleRecord } | Response> {
  const actor = await guard(req, need);
  if (actor instanceof Response) return actor;
  const id = ruleIdParam.safeParse((await ctx.params).id);
  if (!id.success) return badRequest(`id: ${id.error.issues[0]!.message}`);
  try {
    const record = await (await store()).alerts.getRule(id.data);
    return record ? { actor, record } : apiError(404, "not_found", `no alert rule ${id.data}`);
  } catch (err) {
    return internalError("reading the alert rule", err);
  }
}

/** GET /api/alert-rules/{id} → the rule, with `changes`: its audit trail, newest first. */
export async function GET(req: Request, ctx: Ctx) {
  const found = await requested(req, ctx, "viewer");
  if (found instanceof Response) return found;
  try {
    const changes = await (await store()).alerts.listAudit({ target: `rule:${found.record.id}`, limit: AUDIT_LISTED });
    return NextResponse.json({ ...apiRule(found.record), changes: changes.map((c) => ({ at: c.at, actor: c.actor, action: c.action, rule: parseJson(c.doc) })) });
  } catch (err) {
    return internalError("reading the alert rule's changes", err);
  }
}

/**
 * PATCH /api/alert-rules/{id} (admin) with some of the rule's keys → 200 the rule. A key set to
 * null is removed (back to its default); the whole rule is validated again, so a kind changed
 * without its keys is a 400 naming them. Its alerts go on unless it changed what it reads.
 */
export async function PATCH(req: Request, ctx: Ctx) {
  const found = await requested(req, ctx, "admin");
  if (found instanceof Response) return found;
  const patch = await readJsonBody(req, z.record(z.string(), z.unknown(), { error: "must be a JSON object of the rule's keys" }), { maxBytes: MAX_ALERT_RULE_BYTES });
  if (!patch.ok) return patch.response;
  if ("id" in patch.data) return badRequest("id: a rule's id cannot change");
  const { actor, record } = found;
  const { id: _id, ...current } = (parseJson(record.body) ?? {}) as Record<string, unknown>;
  void _id;
  const merged: Record<string, unknown> = { ...current, ...patch.data };
  for (const [k, v] of Object.entries(patch.data)) if (v === null) delete merged[k];
  const parsed = ruleBodySchema.safeParse(merged);
  if (!parsed.success) return badRequest(describeZodError(parsed.error));
  try {
    const s = await store();
    const rule = { id: record.id, ...parsed.data };
    const next = { ...record, body: JSON.stringify(rule), updatedAt: Date.now(), updatedBy: actor.username };
    await s.alerts.saveRule(next);
    await audit(s, actor, "rule.updated", `rule:${rule.id}`, rule);
    await alertService()?.reloadRules();
    return NextResponse.json(apiRule(next));
  } catch (err) {
    return internalError("saving the alert rule", err);
  }
}

/** DELETE /api/alert-rules/{id} (admin) → `{ deleted: id }`; its open alerts end ("rule deleted"), resolved ones are notified. */
export async function DELETE(req: Request, ctx: Ctx) {
  const actor = await guard(req, "admin");
  if (actor instanceof Response) return actor;
  const id = ruleIdParam.safeParse((await ctx.params).id);
  if (!id.success) return badRequest(`id: ${id.error.issues[0]!.message}`);
  try {
    const s = await store();
    if (!(await s.alerts.removeRule(id.data))) return apiError(404, "not_found", `no alert rule ${id.data}`);
    await audit(s, actor, "rule.deleted", `rule:${id.data}`, null);
    await alertService()?.reloadRules();
    return NextResponse.json({ deleted: id.data });
  } catch (err) {
    return internalError("deleting the alert rule", err);
  }
}
