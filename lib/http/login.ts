import "server-only";
/**
 * Logging in: the throttle, the password check (constant work whether or not the user exists),
 * and the session it makes. Used by POST /api/auth/login and the first-start setup.
 */
import { serverConfig, store } from "./context";
import { decoyHash, verifyPassword } from "../auth/password";
import { LoginLimiter, type LimitDecision } from "../auth/rate-limit";
import { hashSessionToken, newSessionToken, sessionCookie } from "../auth/session-token";
import type { Actor } from "../auth/roles";
import { logger } from "../log/logger";
import { processSingleton } from "../process/singleton";

/** One limiter per process, shared by every copy of this module Next bundles. */
export const loginLimiter = () => processSingleton("auth.login-limiter", () => new LoginLimiter());

export type LoginOutcome = { ok: true; actor: Actor } | { ok: false; why: "wrong" } | { ok: false; why: "throttled"; limit: Extract<LimitDecision, { allowed: false }> };

export async function checkLogin(username: string, password: string, address: string): Promise<LoginOutcome> {
  const limiter = loginLimiter();
  const now = Date.now();
  const limit = limiter.check(username, address, now);
  if (!limit.allowed) {
    logger("auth").warn({ username, address, by: limit.by, retryAfterMs: limit.retryAfterMs }, "login refused: too many failed logins");
    return { ok: false, why: "throttled", limit };
  }
  const user = await (await store()).users.getUser(username);
  const good = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
  if (!user || !good || user.disabled) {
    limiter.fail(username, address, now);
    logger("auth").warn({ username, address }, "login refused: wrong username or password");
    return { ok: false, why: "wrong" };
  }
  limiter.succeed(username);
  return { ok: true, actor: { username: user.username, role: user.role } };
}

/** A new session for `username`; the `Set-Cookie` value that carries it. */
export async function startSession(username: string, secure: boolean): Promise<string> {
  const token = newSessionToken();
  const ttl = serverConfig().sessionTtlMs;
  const now = Date.now();
  await (await store()).users.createSession({ tokenHash: hashSessionToken(token), username, expiresAt: now + ttl }, now);
  return sessionCookie(token, { secure, maxAgeS: Math.floor(ttl / 1000) });
}
