import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { alertRuleSchema, ruleBodySchema } from "@/lib/alerts/rule";
import { previewRule } from "@/lib/alerting/preview";
import { MAX_ALERT_RULE_BYTES } from "@/lib/alerting/requests";
import { BUILT_IN_CONVENTIONS } from "@/lib/devices/builtin";
import { sharedInterpreter } from "@/lib/devices/shared";
import { readJsonBody } from "@/lib/http/body";
import { store } from "@/lib/http/context";
import { internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");

/**
 * POST /api/alert-rules/preview (admin), the body of POST /api/alert-rules → 200 `{ from, to,
 * messages, partial, unsupported, transitions: [{ device, from, to, at, value, reason }],
 * truncated, counts: { transitions, fired, devices, open } }`: what the rule would have done over
 * the stored messages of the last 24 h. Saves nothing.
 */
export async function POST(req: Request) {
  const actor = await guard(req, "admin");
  if (actor instanceof Response) return actor;
  const body = await readJsonBody(req, ruleBodySchema, { maxBytes: MAX_ALERT_RULE_BYTES });
  if (!body.ok) return body.response;
  try {
    const rule = alertRuleSchema.parse({ id: "preview", ...body.data });
    // The conventions in force, in a fresh interpreter: the bridge's own keeps what it learned live.
    const conventions = sharedInterpreter()?.conventions ?? BUILT_IN_CONVENTIONS;
    return NextResponse.json(await previewRule(await store(), rule, conventions), { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return internalError("previewing the alert rule", err);
  }
}
