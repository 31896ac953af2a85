import { NextResponse } from "next/server";
import { serverConfig } from "@/lib/http/context";
import { badRequest, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { capturePaths, offsetOf, readPackets } from "@/lib/captures/files";
import { packetMatches, parsePacketsQuery } from "@/lib/captures/requests";
import { requestedCapture } from "@/lib/http/route-capture";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

const DEFAULT_PAGE = 1000;

/**
 * GET /api/captures/{id}/packets?type=&client=&device=&qos=&limit=&cursor= → `{ packets:
 * [TraceEvent…], next }` in capture order, in the shape /api/trace streams; pass `next` back as
 * `cursor`. `device` keeps the packets of that device's messages, on every hop.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const found = await requestedCapture(req, ctx, "viewer");
  if (found instanceof Response) return found;
  const parsed = parsePacketsQuery(new URL(req.url).searchParams);
  if (!parsed.ok) return badRequest(parsed.message);
  const q = parsed.query;
  const offset = q.cursor === undefined ? 0 : offsetOf(q.cursor);
  if (offset === null) return badRequest("cursor: is not one this server issued");
  try {
    const page = await readPackets(capturePaths(serverConfig().captureDir, found.capture.id).packets, offset, q.limit ?? DEFAULT_PAGE, (e) => packetMatches(q, e));
    return NextResponse.json(page);
  } catch (err) {
    return internalError("reading a capture's packets", err);
  }
}
