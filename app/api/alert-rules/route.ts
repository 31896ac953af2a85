import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { ruleBodySchema } from "@/lib/alerts/rule";
import { apiRule, newRuleId } from "@/lib/alerting/records";
import { audit, MAX_ALERT_RULE_BYTES } from "@/lib/alerting/requests";
import { alertService } from "@/lib/alerting/shared";
import { readJsonBody } from "@/lib/http/body";
import { store } from "@/lib/http/context";
import { internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");

/** GET /api/alert-rules → `{ rules: [{ id, name, kind, …, createdAt, createdBy, updatedAt, updatedBy }] }`, oldest first; a stored rule that no longer parses has `problem`. */
export async function GET(req: Request) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  try {
    const rules = await (await store()).alerts.listRules();
    return NextResponse.json({ rules: rules.map(apiRule) }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return internalError("listing the alert rules", err);
  }
}

/** POST /api/alert-rules (admin), the rule without its id → 201 the rule with its id, in force at once on the alert lease holder. */
export async function POST(req: Request) {
  const actor = await guard(req, "admin");
  if (actor instanceof Response) return actor;
  const body = await readJsonBody(req, ruleBodySchema, { maxBytes: MAX_ALERT_RULE_BYTES });
  if (!body.ok) return body.response;
  try {
    const s = await store();
    const now = Date.now();
    const rule = { id: newRuleId(body.data.name), ...body.data };
    const record = { id: rule.id, body: JSON.stringify(rule), createdAt: now, createdBy: actor.username, updatedAt: now, updatedBy: actor.username };
    await s.alerts.saveRule(record);
    await audit(s, actor, "rule.created", `rule:${rule.id}`, rule);
    await alertService()?.reloadRules();
    return NextResponse.json(apiRule(record), { status: 201 });
  } catch (err) {
    return internalError("saving the alert rule", err);
  }
}
