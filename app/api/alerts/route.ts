import type { NextRequest } from "next/server";
import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { alertQuerySchema, apiTransition } from "@/lib/alerting/records";
import { alertContext, shapeAlert } from "@/lib/alerting/requests";
import { store } from "@/lib/http/context";
import { badRequest, describeZodError, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { InvalidCursorError } from "@/lib/store/types";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/** Transitions listed per alert with `transitions=true`. */
const TRANSITIONS_PER_ALERT = 20;

/**
 * GET /api/alerts?state=&device=&from=&to=&limit=&cursor=&transitions= → `{ alerts: [{ id, rule,
 * ruleName, device, state, severity, startedAt, endedAt, value, ack, silenced, transitions? }], next }`,
 * newest first. `state` is a comma list of normal, pending, firing, firing_no_data, resolved;
 * from/to select the alerts open at some time in that range.
 */
export async function GET(req: NextRequest) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const q = alertQuerySchema.safeParse(Object.fromEntries(req.nextUrl.searchParams));
  if (!q.success) return badRequest(describeZodError(q.error));
  try {
    const s = await store();
    const { transitions, ...query } = q.data;
    const page = await s.alerts.listAlerts(query);
    const ctx = await alertContext(s);
    const alerts = [];
    for (const a of page.alerts) {
      const shaped = await shapeAlert(s, ctx, a);
      if (transitions !== "true") alerts.push(shaped);
      else alerts.push({ ...shaped, transitions: (await s.alerts.listTransitions({ episode: a.id, limit: TRANSITIONS_PER_ALERT })).transitions.map(apiTransition) });
    }
    return NextResponse.json({ alerts, next: page.next }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    if (err instanceof InvalidCursorError || (err instanceof Error && err.name === "InvalidCursorError")) return badRequest(`cursor: ${err.message}`);
    return internalError("listing alerts", err);
  }
}
