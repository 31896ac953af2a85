import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { commandService } from "@/lib/command-service/shared";
import { store } from "@/lib/http/context";
import { commandIdParam } from "@/lib/http/commands-params";
import { apiError, badRequest, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/** GET /api/commands/{id}: one command with every transition and event, timestamped. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const { id } = await ctx.params;
  const parsed = commandIdParam.safeParse(id);
  if (!parsed.success) return badRequest(`id: ${parsed.error.issues[0]!.message}`);
  try {
    // This process's own commands as they are now; the store has the steps within a second.
    const command = commandService()?.current(parsed.data) ?? (await (await store()).commands.get(parsed.data));
    if (!command) return apiError(404, "not_found", `no command ${JSON.stringify(id)}`);
    return NextResponse.json(command);
  } catch (err) {
    return internalError("reading a command", err);
  }
}
