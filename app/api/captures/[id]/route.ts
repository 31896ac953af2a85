import { NextResponse } from "next/server";
import { serverConfig, store } from "@/lib/http/context";
import { apiError, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { removeCaptureFiles } from "@/lib/captures/files";
import { requestedCapture } from "@/lib/http/route-capture";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH } = otherMethods("GET", "DELETE");

type Ctx = { params: Promise<{ id: string }> };

/** GET /api/captures/{id} → the summary POST answered with. */
export async function GET(req: Request, ctx: Ctx) {
  const found = await requestedCapture(req, ctx, "viewer");
  if (found instanceof Response) return found;
  return new NextResponse(found.capture.summary, { headers: { "content-type": "application/json" } });
}

/** DELETE /api/captures/{id} (operator) → `{ deleted: id }`, its files with it. */
export async function DELETE(req: Request, ctx: Ctx) {
  const found = await requestedCapture(req, ctx, "operator");
  if (found instanceof Response) return found;
  const { id } = found.capture;
  try {
    if (!(await (await store()).captures.remove(id))) return apiError(404, "not_found", `no capture ${id}`);
    await removeCaptureFiles(serverConfig().captureDir, id);
    return NextResponse.json({ deleted: id });
  } catch (err) {
    return internalError("deleting a capture", err);
  }
}
