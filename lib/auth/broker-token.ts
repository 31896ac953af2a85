/**
 * Short-lived broker tokens for browsers: the server issues one to a logged-in user (GET
 * /api/auth/broker-token) and the tab uses it as its MQTT password, so the broker learns the
 * user's role without a database lookup. `fsb1.<payload>.<HMAC-SHA256>`, base64url; payload
 * `{ u, r, exp }`. The key is random per process and lives on globalThis, where the route
 * handlers Next bundles and the embedded broker in server.ts both find it; a restart
 * invalidates every token, which costs a tab one refetch.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { roleSchema, usernameSchema, type Role } from "./roles";
import { processSingleton } from "../process/singleton";

const PREFIX = "fsb1.";
/** Long enough for a slow reconnect; a tab fetches a fresh one before each connect. */
export const BROKER_TOKEN_TTL_MS = 2 * 60_000;

const payloadSchema = z.object({ u: usernameSchema, r: roleSchema, exp: z.number().int() });

const processKey = () => processSingleton("auth.broker-token-key", () => randomBytes(32));

const mac = (key: Buffer, data: string) => createHmac("sha256", key).update(data).digest();

export function issueBrokerToken(actor: { username: string; role: Role }, now: number, key: Buffer = processKey()): { token: string; expiresAt: number } {
  const expiresAt = now + BROKER_TOKEN_TTL_MS;
  const body = Buffer.from(JSON.stringify({ u: actor.username, r: actor.role, exp: expiresAt })).toString("base64url");
  return { token: `${PREFIX}${body}.${mac(key, body).toString("base64url")}`, expiresAt };
}

export const looksLikeBrokerToken = (password: string) => password.startsWith(PREFIX);

/** The token's user, or null when it is forged, expired or malformed. */
export function verifyBrokerToken(token: string, now: number, key: Buffer = processKey()): { username: string; role: Role } | null {
  if (!looksLikeBrokerToken(token)) return null;
  const [body, sig, ...rest] = token.slice(PREFIX.length).split(".");
  if (!body || !sig || rest.length > 0) return null;
  const given = Buffer.from(sig, "base64url");
  const expected = mac(key, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success || parsed.data.exp <= now) return null;
  return { username: parsed.data.u, role: parsed.data.r };
}
