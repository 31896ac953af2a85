import type { NextRequest } from "next/server";
import { guard } from "@/lib/http/guard";
import { NextResponse } from "next/server";
import { badRequest, internalError } from "@/lib/http/errors";
import { store } from "@/lib/http/context";
import { parseMessagesParams } from "@/lib/http/messages-params";
import { InvalidCursorError } from "@/lib/store/types";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

export async function GET(req: NextRequest) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const parsed = parseMessagesParams(req.nextUrl.searchParams);
  if (!parsed.success) return badRequest(parsed.error);
  try {
    return NextResponse.json(await (await store()).queryMessages(parsed.data));
  } catch (err) {
    if (err instanceof InvalidCursorError || (err instanceof Error && err.name === "InvalidCursorError")) {
      return badRequest(`cursor: ${err.message}`);
    }
    return internalError("reading messages", err);
  }
}
