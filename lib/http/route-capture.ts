import "server-only";
/** What every `/api/captures/{id}…` route does first: the guard, the id checked, the capture found. */
import { guard, type Role } from "./guard";
import type { Actor } from "../auth/roles";
import { store } from "./context";
import { apiError, badRequest, internalError } from "./errors";
import type { CaptureRecord } from "../store/captures";
import { captureIdParam } from "../captures/requests";

export async function requestedCapture(req: Request, ctx: { params: Promise<{ id: string }> }, need: Role): Promise<{ actor: Actor; capture: CaptureRecord } | Response> {
  const actor = await guard(req, need);
  if (actor instanceof Response) return actor;
  const id = captureIdParam.safeParse((await ctx.params).id);
  if (!id.success) return badRequest(`id: ${id.error.issues[0]!.message}`);
  try {
    const capture = await (await store()).captures.get(id.data);
    return capture ? { actor, capture } : apiError(404, "not_found", `no capture ${id.data}`);
  } catch (err) {
    return internalError("reading a capture", err);
  }
}
