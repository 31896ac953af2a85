/**
 * Who is asking. Until logins exist (issue 9) every request is the anonymous user, allowed
 * everything; route handlers already ask here so the audit log records an actor.
 */
export type Role = "viewer" | "operator" | "admin";
export interface Actor {
  username: string;
  role: Role;
}

export async function guard(_req: Request, _need: Role): Promise<Actor | Response> {
  return { username: "anonymous", role: "admin" };
}
