/**
 * Session tokens: 32 random bytes in the cookie; the store keeps only their SHA-256, so a copy of
 * the database (or a backup) holds no usable session.
 */
import { createHash, randomBytes } from "node:crypto";

export const SESSION_COOKIE = "fleetscope_session";

export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** `Set-Cookie` for a session: HttpOnly, SameSite=Lax, Secure when the page came over HTTPS. */
export function sessionCookie(token: string, opts: { secure: boolean; maxAgeS: number }): string {
  return [`${SESSION_COOKIE}=${token}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${opts.maxAgeS}`, ...(opts.secure ? ["Secure"] : [])].join("; ");
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie("", { secure, maxAgeS: 0 });
}

/** The session token in a `Cookie` header, if any. */
export function sessionTokenFrom(cookieHeader: string | null): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return value.length > 0 ? value : null;
    }
  }
  return null;
}
