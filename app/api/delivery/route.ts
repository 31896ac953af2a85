import type { NextRequest } from "next/server";
import { guard } from "@/lib/http/guard";
import { NextResponse } from "next/server";
import { apiError, badRequest, internalError } from "@/lib/http/errors";
import { store } from "@/lib/http/context";
import { parseDeliveryParams } from "@/lib/http/delivery-params";
import { summarizeDelivery } from "@/lib/store/delivery";
import { otherMethods } from "@/lib/http/method-not-allowed";
import type { DeliveryAnswer } from "@/lib/api-client/devices";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

export async function GET(req: NextRequest) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const parsed = parseDeliveryParams(req.nextUrl.searchParams, Date.now());
  if (!parsed.ok) return badRequest(parsed.message);
  const q = parsed.query;
  try {
    const s = await store();
    if (!(await s.getDevice(q.device))) return apiError(404, "not_found", `no device ${JSON.stringify(q.device)} has been seen`);
    const { streams, duplicates } = await s.queryDelivery(q);
    return NextResponse.json({ device: q.device, from: q.from, to: q.to, ...summarizeDelivery(streams, duplicates) } satisfies DeliveryAnswer);
  } catch (err) {
    return internalError("reading delivery figures", err);
  }
}
