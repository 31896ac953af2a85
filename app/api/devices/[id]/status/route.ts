import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { store } from "@/lib/http/context";
import { deviceIdOfPath } from "@/lib/http/device-path";
import { badRequest, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { parseStatusParams } from "@/lib/http/status-params";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/**
 * GET /api/devices/{id}/status?from=&to=&limit= → `{ changes: [{ ts, status, reason }] newest
 * first, before: the change the range opens with or null, truncated }`: the device's status
 * history as its convention said it (LWT, NDEATH with bdSeq, Homie $state…), for every convention.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const id = deviceIdOfPath((await ctx.params).id);
  if (id instanceof Response) return id;
  const parsed = parseStatusParams(id, new URL(req.url).searchParams, Date.now());
  if (!parsed.ok) return badRequest(parsed.message);
  try {
    return NextResponse.json(await (await store()).queryStatusHistory(parsed.query));
  } catch (err) {
    return internalError("reading the status history", err);
  }
}
