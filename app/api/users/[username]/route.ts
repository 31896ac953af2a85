import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { browserConnections } from "@/lib/broker/browser-connections";
import { hashPassword } from "@/lib/auth/password";
import { usernameSchema } from "@/lib/auth/roles";
import { userPatchBody as body } from "@/lib/auth/requests";
import { publicUser } from "@/lib/http/public-user";
import { readJsonBody } from "@/lib/http/body";
import { store } from "@/lib/http/context";
import { apiError, badRequest, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, DELETE } = otherMethods("PATCH");

/**
 * PATCH /api/users/{username} (admin) `{ role?, disabled?, password? }` → the user. Disabling or a
 * new password ends the user's sessions; any change ends their tabs' broker connections. The last enabled admin cannot be demoted or disabled:
 * nobody could manage users any more.
 */
export async function PATCH(req: Request, ctx: { params: Promise<{ username: string }> }) {
  const actor = await guard(req, "admin");
  if (actor instanceof Response) return actor;
  const name = usernameSchema.safeParse((await ctx.params).username);
  if (!name.success) return badRequest(`username: ${name.error.issues[0]!.message}`);
  const parsed = await readJsonBody(req, body);
  if (!parsed.ok) return parsed.response;
  const patch = parsed.data;
  try {
    const users = (await store()).users;
    const user = await users.getUser(name.data);
    if (!user) return apiError(404, "not_found", `no user ${JSON.stringify(name.data)}`);
    const losesAdmin = user.role === "admin" && !user.disabled && ((patch.role !== undefined && patch.role !== "admin") || patch.disabled === true);
    if (losesAdmin && (await users.listUsers()).filter((u) => u.role === "admin" && !u.disabled).length <= 1) {
      return apiError(409, "conflict", `${user.username} is the last enabled admin; make another admin first`);
    }
    const updated = await users.updateUser(
      user.username,
      { role: patch.role, disabled: patch.disabled, passwordHash: patch.password === undefined ? undefined : await hashPassword(patch.password) },
      Date.now(),
    );
    if (patch.disabled === true || patch.password !== undefined) await users.deleteSessionsOf(user.username);
    // Open broker connections keep the rights their token gave them: any change ends them (the
    // tabs reconnect with a fresh token, or go to the login page).
    browserConnections().end(user.username);
    return NextResponse.json(publicUser(updated!));
  } catch (err) {
    return internalError("changing a user", err);
  }
}
