import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { isOpen, type AlertStatus } from "@/lib/alerts/state";
import { ackBody, alertContext, alertIdParam, audit, shapeAlert } from "@/lib/alerting/requests";
import { alertService } from "@/lib/alerting/shared";
import { readJsonBody } from "@/lib/http/body";
import { store } from "@/lib/http/context";
import { apiError, badRequest, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");

type Ctx = { params: Promise<{ id: string }> };

/**
 * POST /api/alerts/{id}/ack (operator) `{ comment? }` → 200 the alert, acknowledged by the caller:
 * a flag with who, when and why, not a state. 409 when the alert is no longer pending or firing.
 */
export async function POST(req: Request, ctx: Ctx) {
  const actor = await guard(req, "operator");
  if (actor instanceof Response) return actor;
  const id = alertIdParam.safeParse((await ctx.params).id);
  if (!id.success) return badRequest(`id: ${id.error.issues[0]!.message}`);
  const body = await readJsonBody(req, ackBody);
  if (!body.ok) return body.response;
  try {
    const s = await store();
    const alert = await s.alerts.getAlert(id.data);
    if (!alert) return apiError(404, "not_found", `no alert ${id.data}`);
    if (!isOpen(alert.state as AlertStatus)) return apiError(409, "conflict", `the alert is ${alert.state}: only a pending or firing alert is acknowledged`);
    const ack = { by: actor.username, at: Date.now(), comment: body.data.comment };
    // On the lease holder the evaluator's state carries it too; elsewhere the episode alone, which the holder keeps.
    const done = (await alertService()?.ack(alert.id, alert.rule, alert.device, ack.by, ack.comment)) ?? false;
    if (!done) await s.alerts.setAck(alert.id, JSON.stringify(ack));
    await audit(s, actor, "alert.acked", `alert:${alert.id}`, { comment: ack.comment });
    const now = await s.alerts.getAlert(alert.id);
    return NextResponse.json(await shapeAlert(s, await alertContext(s), now ?? alert));
  } catch (err) {
    return internalError("acknowledging the alert", err);
  }
}
