import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { audit, silenceIdParam } from "@/lib/alerting/requests";
import { alertService } from "@/lib/alerting/shared";
import { store } from "@/lib/http/context";
import { apiError, badRequest, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");

type Ctx = { params: Promise<{ id: string }> };

/** DELETE /api/silences/{id} (operator) → `{ expired: id }`: it ends now, and stays listed for the audit. 404 when none is still running or to come. */
export async function DELETE(req: Request, ctx: Ctx) {
  const actor = await guard(req, "operator");
  if (actor instanceof Response) return actor;
  const id = silenceIdParam.safeParse((await ctx.params).id);
  if (!id.success) return badRequest(`id: ${id.error.issues[0]!.message}`);
  try {
    const s = await store();
    if (!(await s.alerts.expireSilence(id.data, Date.now()))) return apiError(404, "not_found", `no silence ${id.data} that has not ended`);
    await audit(s, actor, "silence.expired", `silence:${id.data}`, null);
    await alertService()?.reloadSilences();
    return NextResponse.json({ expired: id.data });
  } catch (err) {
    return internalError("expiring the silence", err);
  }
}
