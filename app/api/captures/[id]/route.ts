import { NextResponse } from "next/server";
import { guard } from "@/lib/auth/guard";
import { serverConfig, store } from "@/lib/http/context";
import { apiError, badRequest, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { removeCaptureFiles } from "@/lib/captures/files";
import { captureIdParam } from "@/lib/captures/requests";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH } = otherMethods("GET", "DELETE");

type Ctx = { params: Promise<{ id: string }> };

async function idOf(ctx: Ctx): Promise<string | Response> {
  const id = captureIdParam.safeParse((await ctx.params).id);
  return id.success ? id.data : badRequest(`id: ${id.error.issues[0]!.message}`);
}

/** GET /api/captures/{id} → the summary POST answered with. */
export async function GET(req: Request, ctx: Ctx) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const id = await idOf(ctx);
  if (id instanceof Response) return id;
  try {
    const r = await (await store()).captures.get(id);
    if (!r) return apiError(404, "not_found", `no capture ${id}`);
    return new NextResponse(r.summary, { headers: { "content-type": "application/json" } });
  } catch (err) {
    return internalError("reading a capture", err);
  }
}

/** DELETE /api/captures/{id} (operator) → `{ deleted: id }`, its files with it. */
export async function DELETE(req: Request, ctx: Ctx) {
  const actor = await guard(req, "operator");
  if (actor instanceof Response) return actor;
  const id = await idOf(ctx);
  if (id instanceof Response) return id;
  try {
    if (!(await (await store()).captures.remove(id))) return apiError(404, "not_found", `no capture ${id}`);
    await removeCaptureFiles(serverConfig().captureDir, id);
    return NextResponse.json({ deleted: id });
  } catch (err) {
    return internalError("deleting a capture", err);
  }
}
