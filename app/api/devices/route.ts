import { NextResponse } from "next/server";
import { internalError } from "@/lib/http/errors";
import { store } from "@/lib/http/context";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    return NextResponse.json({ devices: await (await store()).listDevices() });
  } catch (err) {
    return internalError("listing devices", err);
  }
}
