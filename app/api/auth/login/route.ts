import { NextResponse } from "next/server";
import { csrfRefusal, LAB_ACTOR } from "@/lib/http/guard";
import { servedOverHttps } from "@/lib/auth/csrf";
import { checkLogin, startSession } from "@/lib/http/login";
import { peerAddress } from "@/lib/auth/peer";
import { loginBody as body } from "@/lib/auth/requests";
import { readJsonBody } from "@/lib/http/body";
import { serverConfig } from "@/lib/http/context";
import { apiError, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");

/** POST /api/auth/login `{ username, password }` → 200 `{ username, role }` and a session cookie. */
export async function POST(req: Request) {
  const csrf = csrfRefusal(req);
  if (csrf) return csrf;
  const parsed = await readJsonBody(req, body);
  if (!parsed.ok) return parsed.response;
  if (!serverConfig().auth) return NextResponse.json(LAB_ACTOR);
  try {
    const outcome = await checkLogin(parsed.data.username, parsed.data.password, peerAddress(req.headers));
    if (!outcome.ok && outcome.why === "throttled") {
      const seconds = Math.ceil(outcome.limit.retryAfterMs / 1000);
      return apiError(429, "rate_limited", `too many failed logins for this ${outcome.limit.by}; try again in ${seconds} s`, { retryAfterS: seconds });
    }
    if (!outcome.ok) return apiError(401, "unauthorized", "wrong username or password");
    const cookie = await startSession(outcome.actor.username, servedOverHttps(req.headers, req.url));
    return NextResponse.json(outcome.actor, { headers: { "set-cookie": cookie } });
  } catch (err) {
    return internalError("logging in", err);
  }
}
