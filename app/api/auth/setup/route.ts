import { NextResponse } from "next/server";
import { servedOverHttps } from "@/lib/auth/csrf";
import { FIRST_ADMIN, takeSetupToken } from "@/lib/server/first-start";
import { csrfRefusal } from "@/lib/http/guard";
import { startSession } from "@/lib/http/login";
import { hashPassword } from "@/lib/auth/password";
import { setupBody as body } from "@/lib/auth/requests";
import { readJsonBody } from "@/lib/http/body";
import { store } from "@/lib/http/context";
import { apiError, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { peerAddress } from "@/lib/auth/peer";
import { logger } from "@/lib/log/logger";

export const dynamic = "force-dynamic";
export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");

/** POST /api/auth/setup `{ token, password }`: the one-time link from the banner sets the admin password. */
export async function POST(req: Request) {
  const csrf = csrfRefusal(req);
  if (csrf) return csrf;
  const parsed = await readJsonBody(req, body);
  if (!parsed.ok) return parsed.response;
  try {
    const users = (await store()).users;
    if ((await users.countUsers()) > 0) return apiError(409, "conflict", "set up already: log in instead");
    if (!takeSetupToken(parsed.data.token)) {
      logger("auth").warn({ address: peerAddress(req.headers) }, "refused: setup with a token that is not the one printed");
      return apiError(403, "forbidden", "this setup link is not valid (it works once, and only the one the server printed)");
    }
    await users.createUser({ username: FIRST_ADMIN, role: "admin", passwordHash: await hashPassword(parsed.data.password) }, Date.now());
    const cookie = await startSession(FIRST_ADMIN, servedOverHttps(req.headers, req.url));
    return NextResponse.json({ username: FIRST_ADMIN, role: "admin" }, { status: 201, headers: { "set-cookie": cookie } });
  } catch (err) {
    return internalError("setting up the admin account", err);
  }
}
