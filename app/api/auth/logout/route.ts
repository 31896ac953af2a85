import { NextResponse } from "next/server";
import { csrfRefusal } from "@/lib/http/guard";
import { servedOverHttps } from "@/lib/auth/csrf";
import { clearedSessionCookie, hashSessionToken, sessionTokenFrom } from "@/lib/auth/session-token";
import { store } from "@/lib/http/context";
import { internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");

/** POST /api/auth/logout: ends this session (the row goes, the cookie is cleared); fine without one. */
export async function POST(req: Request) {
  const csrf = csrfRefusal(req);
  if (csrf) return csrf;
  try {
    const token = sessionTokenFrom(req.headers.get("cookie"));
    if (token) await (await store()).users.deleteSession(hashSessionToken(token));
    return NextResponse.json({ ok: true }, { headers: { "set-cookie": clearedSessionCookie(servedOverHttps(req.headers, req.url)) } });
  } catch (err) {
    return internalError("logging out", err);
  }
}
