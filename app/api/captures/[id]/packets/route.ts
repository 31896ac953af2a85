import { NextResponse } from "next/server";
import { guard } from "@/lib/auth/guard";
import { serverConfig, store } from "@/lib/http/context";
import { apiError, badRequest, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { capturePaths, offsetOf, readPackets } from "@/lib/captures/files";
import { captureIdParam, packetMatches, parsePacketsQuery } from "@/lib/captures/requests";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

const DEFAULT_PAGE = 1000;

/**
 * GET /api/captures/{id}/packets?type=&client=&qos=&limit=&cursor= → `{ packets: [TraceEvent…],
 * next }` in capture order, in the shape /api/trace streams; pass `next` back as `cursor`.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const id = captureIdParam.safeParse((await ctx.params).id);
  if (!id.success) return badRequest(`id: ${id.error.issues[0]!.message}`);
  const parsed = parsePacketsQuery(new URL(req.url).searchParams);
  if (!parsed.ok) return badRequest(parsed.message);
  const q = parsed.query;
  const offset = q.cursor === undefined ? 0 : offsetOf(q.cursor);
  if (offset === null) return badRequest("cursor: is not one this server issued");
  try {
    if (!(await (await store()).captures.get(id.data))) return apiError(404, "not_found", `no capture ${id.data}`);
    const page = await readPackets(capturePaths(serverConfig().captureDir, id.data).packets, offset, q.limit ?? DEFAULT_PAGE, (e) => packetMatches(q, e));
    return NextResponse.json(page);
  } catch (err) {
    return internalError("reading a capture's packets", err);
  }
}
