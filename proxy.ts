/**
 * Runs before every page and API request (Next 16's proxy, formerly middleware): a fresh CSP
 * nonce per request (Next reads it from the request's CSP header and puts it on its own
 * scripts), and pages without a session cookie redirect to /login with their path to come back
 * to. Whether the cookie's session is valid is the root layout's check (it needs the store).
 */
import { NextResponse, type NextRequest } from "next/server";
import { SESSION_COOKIE } from "@/lib/auth/session-token";
import { contentSecurityPolicy } from "@/lib/http/csp";
import { PATH_HEADER } from "@/lib/http/page-path";

export function proxy(req: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = contentSecurityPolicy({
    nonce,
    dev: process.env.NODE_ENV === "development",
    host: req.headers.get("host"),
    mqttWsUrl: process.env.MQTT_WS_URL || (/^wss?:/.test(process.env.MQTT_URL ?? "") ? process.env.MQTT_URL : undefined),
  });
  const path = req.nextUrl.pathname;
  if (path !== "/login" && process.env.FLEETSCOPE_AUTH !== "off" && !req.cookies.get(SESSION_COOKIE)?.value) {
    const login = new URL("/login", req.url);
    login.searchParams.set("next", path + req.nextUrl.search);
    const res = NextResponse.redirect(login);
    res.headers.set("content-security-policy", csp);
    return res;
  }
  const headers = new Headers(req.headers);
  headers.set("content-security-policy", csp);
  headers.set(PATH_HEADER, path + req.nextUrl.search);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("content-security-policy", csp);
  return res;
}

export const config = {
  // Pages only. Static chunks and icons carry no HTML to protect and must load before any login;
  // API routes answer JSON (next.config.ts's headers still apply) and guard themselves, and the
  // proxy would buffer their request bodies (up to 10 MB) before the route could refuse them.
  matcher: [{ source: "/((?!api/|_next/static|_next/image|icon.svg|favicon.ico).*)" }],
};
