import "server-only";
/**
 * THE GUARD: every API route that is not public calls `guard(req, need)` first. It applies the
 * CSRF rule to state-changing methods, finds the session's user, and checks the role. With
 * FLEETSCOPE_AUTH=off everyone is the lab's admin.
 */
import { apiError, internalError } from "./errors";
import { serverConfig, store } from "./context";
import { crossOriginRefused, serverOrigin } from "../auth/csrf";
import { roleAllows, type Actor, type Role } from "../auth/roles";
import { hashSessionToken, sessionTokenFrom } from "../auth/session-token";
import { logger } from "../log/logger";

export type { Role };

/** Who everyone is when FLEETSCOPE_AUTH=off. */
export const LAB_ACTOR: Actor = { username: "lab", role: "admin" };

/** The 403 a cross-origin state-changing request gets, or null when the request may go on. */
export function csrfRefusal(req: Request): Response | null {
  if (!crossOriginRefused(req.method, req.headers.get("origin"), serverOrigin(req.headers, req.url))) return null;
  logger("auth").warn({ method: req.method, path: new URL(req.url).pathname, origin: req.headers.get("origin") }, "refused: cross-origin request");
  return apiError(403, "forbidden", "cross-origin request refused: its Origin is not this server's");
}

/** The user of the request's session cookie, or null; store trouble throws. */
export async function sessionActor(cookieHeader: string | null): Promise<Actor | null> {
  if (!serverConfig().auth) return LAB_ACTOR;
  const token = sessionTokenFrom(cookieHeader);
  if (!token) return null;
  const user = await (await store()).users.sessionUser(hashSessionToken(token), Date.now());
  return user ? { username: user.username, role: user.role } : null;
}

/** The request's user, checked against `need` (and the CSRF rule for POST/PUT/PATCH/DELETE). Returns the actor, or a Response (401/403 in the documented error shape) to return as is. */
export async function guard(req: Request, need: Role): Promise<Actor | Response> {
  const csrf = csrfRefusal(req);
  if (csrf) return csrf;
  let actor: Actor | null;
  try {
    actor = await sessionActor(req.headers.get("cookie"));
  } catch (err) {
    return internalError("checking the session", err);
  }
  if (!actor) {
    logger("auth").info({ method: req.method, path: new URL(req.url).pathname }, "refused: no session");
    return apiError(401, "unauthorized", "log in first: POST /api/auth/login");
  }
  if (!roleAllows(actor.role, need)) {
    logger("auth").warn({ method: req.method, path: new URL(req.url).pathname, username: actor.username, role: actor.role, need }, "refused: role too low");
    return apiError(403, "forbidden", `this needs the ${need} role; ${actor.username} is a ${actor.role}`);
  }
  return actor;
}
