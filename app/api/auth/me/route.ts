import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { serverConfig } from "@/lib/http/context";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/** GET /api/auth/me → `{ username, role, auth: "on" | "off" }`. */
export async function GET(req: Request) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  return NextResponse.json({ ...actor, auth: serverConfig().auth ? "on" : "off" });
}
