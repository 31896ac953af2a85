import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { internalError } from "@/lib/http/errors";
import { store } from "@/lib/http/context";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

export async function GET(req: Request) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  try {
    return NextResponse.json({ devices: await (await store()).listDevices() });
  } catch (err) {
    return internalError("listing devices", err);
  }
}
