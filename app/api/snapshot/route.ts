import type { NextRequest } from "next/server";
import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { badRequest, internalError } from "@/lib/http/errors";
import { store } from "@/lib/http/context";
import { parseSnapshotParams } from "@/lib/http/snapshot-params";
import { InvalidCursorError } from "@/lib/store/types";
import { otherMethods } from "@/lib/http/method-not-allowed";
import type { SnapshotPage } from "@/lib/api-client/messages";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/**
 * GET /api/snapshot?at=&topic=&limit=&cursor= → `{ at, devices, topics: { count, items, next } }`:
 * the fleet as it was at `at` (epoch ms or ISO time): every device as GET /api/devices lists it,
 * and each matching topic's last message at or before `at`, paged in topic order. Devices come
 * with every page, so a client that reads only the first has them.
 */
export async function GET(req: NextRequest) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const parsed = parseSnapshotParams(req.nextUrl.searchParams);
  if (!parsed.success) return badRequest(parsed.error);
  const q = parsed.data;
  try {
    const s = await store();
    const [devices, topics] = await Promise.all([s.listDevicesAt(q.at), s.queryTopicsAt(q)]);
    return NextResponse.json({ at: q.at, devices, topics } satisfies SnapshotPage, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    if (err instanceof InvalidCursorError || (err instanceof Error && err.name === "InvalidCursorError")) return badRequest(`cursor: ${err.message}`);
    return internalError("reading the snapshot", err);
  }
}
