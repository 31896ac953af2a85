import type { NextRequest } from "next/server";
import { guard } from "@/lib/http/guard";
import { NextResponse } from "next/server";
import { apiError, badRequest, internalError } from "@/lib/http/errors";
import { store } from "@/lib/http/context";
import { parseSeriesParams } from "@/lib/http/series-params";
import { otherMethods } from "@/lib/http/method-not-allowed";
import type { SeriesAnswer } from "@/lib/api-client/devices";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

export async function GET(req: NextRequest) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const parsed = parseSeriesParams(req.nextUrl.searchParams, Date.now());
  if (!parsed.ok) return badRequest(parsed.message);
  const q = parsed.query;
  try {
    const s = await store();
    const device = await s.getDevice(q.device);
    if (!device) return apiError(404, "not_found", `no device ${JSON.stringify(q.device)} has been seen`);
    if (!device.fields.includes(q.field)) {
      return apiError(404, "not_found", `device ${JSON.stringify(q.device)} has no numeric field ${JSON.stringify(q.field)}; it has ${device.fields.join(", ") || "none yet"}`);
    }
    const series = await s.querySeries(q);
    return NextResponse.json({ device: q.device, field: q.field, from: q.from, to: q.to, ...series } satisfies SeriesAnswer);
  } catch (err) {
    return internalError("reading a series", err);
  }
}
