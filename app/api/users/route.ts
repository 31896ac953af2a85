import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { hashPassword } from "@/lib/auth/password";
import { newUserBody as body } from "@/lib/auth/requests";
import { publicUser } from "@/lib/http/public-user";
import { readJsonBody } from "@/lib/http/body";
import { store } from "@/lib/http/context";
import { apiError, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");

/** GET /api/users (admin) → `{ users: [{ username, role, disabled, createdAt, updatedAt }] }`. */
export async function GET(req: Request) {
  const actor = await guard(req, "admin");
  if (actor instanceof Response) return actor;
  try {
    return NextResponse.json({ users: (await (await store()).users.listUsers()).map(publicUser) });
  } catch (err) {
    return internalError("listing users", err);
  }
}


/** POST /api/users (admin) `{ username, password, role }` → 201 the user; 409 when the name is taken. */
export async function POST(req: Request) {
  const actor = await guard(req, "admin");
  if (actor instanceof Response) return actor;
  const parsed = await readJsonBody(req, body);
  if (!parsed.ok) return parsed.response;
  const { username, password, role } = parsed.data;
  try {
    const users = (await store()).users;
    if (!(await users.createUser({ username, role, passwordHash: await hashPassword(password) }, Date.now()))) {
      return apiError(409, "conflict", `a user ${JSON.stringify(username)} exists already`);
    }
    return NextResponse.json(publicUser((await users.getUser(username))!), { status: 201 });
  } catch (err) {
    return internalError("adding a user", err);
  }
}
