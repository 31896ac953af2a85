import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { sharedInterpreter } from "@/lib/devices/shared";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/**
 * What the bridge's conventions learned that a browser tab opened later needs to read live
 * messages (Sparkplug's metric names and units from BIRTHs it never saw), by convention.
 */
export async function GET(req: Request) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  return NextResponse.json({ state: sharedInterpreter()?.snapshot() ?? {} }, { headers: { "cache-control": "no-store" } });
}
