import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { apiDelivery, apiTransition, parseJson } from "@/lib/alerting/records";
import { alertContext, alertIdParam, AUDIT_LISTED, shapeAlert } from "@/lib/alerting/requests";
import { store } from "@/lib/http/context";
import { apiError, badRequest, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/** An episode's whole history is short: one alert from pending to resolved. */
const MAX_TRANSITIONS = 500;
const MAX_DELIVERIES = 100;

type Ctx = { params: Promise<{ id: string }> };

/**
 * GET /api/alerts/{id} → the alert as listed, with `transitions` (oldest first), `deliveries`
 * (its notifications' delivery log, newest first) and `changes` (who acknowledged it).
 */
export async function GET(req: Request, ctx: Ctx) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const id = alertIdParam.safeParse((await ctx.params).id);
  if (!id.success) return badRequest(`id: ${id.error.issues[0]!.message}`);
  try {
    const s = await store();
    const alert = await s.alerts.getAlert(id.data);
    if (!alert) return apiError(404, "not_found", `no alert ${id.data}`);
    const [shaped, transitions, deliveries, changes] = await Promise.all([
      alertContext(s).then((c) => shapeAlert(s, c, alert)),
      s.alerts.listTransitions({ episode: alert.id, limit: MAX_TRANSITIONS }),
      s.alerts.listDeliveries({ alert: alert.id, limit: MAX_DELIVERIES }),
      s.alerts.listAudit({ target: `alert:${alert.id}`, limit: AUDIT_LISTED }),
    ]);
    return NextResponse.json(
      {
        ...shaped,
        transitions: transitions.transitions.map(apiTransition).reverse(),
        deliveries: deliveries.map(apiDelivery),
        changes: changes.map((c) => ({ at: c.at, actor: c.actor, action: c.action, detail: parseJson(c.doc) })),
      },
      { headers: { "cache-control": "no-store" } },
    );
  } catch (err) {
    return internalError("reading the alert", err);
  }
}
