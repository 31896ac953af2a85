import "server-only";
/**
 * The first start with no users: FLEETSCOPE_ADMIN_PASSWORD creates `admin`; without it a
 * one-time setup token is made and the banner prints `/login?setup=<token>`, where whoever has
 * the server's console sets the admin password. No default password exists anywhere.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Store } from "../store/types";
import { hashPassword } from "../auth/password";
import { processSlot } from "../process/singleton";

export const FIRST_ADMIN = "admin";
/** The setup token the start-up banner printed, until it is used. */
const setupToken = processSlot<string>("auth.setup-token");

function noToken(): null {
  setupToken.set(null);
  return null;
}

/** Returns the setup token to print, or null when there are users already (or were just made). */
export async function ensureFirstUser(store: Store, adminPassword: string | undefined): Promise<string | null> {
  if ((await store.users.countUsers()) > 0) return noToken();
  if (adminPassword) {
    await store.users.createUser({ username: FIRST_ADMIN, role: "admin", passwordHash: await hashPassword(adminPassword) }, Date.now());
    return noToken();
  }
  const token = randomBytes(24).toString("base64url");
  setupToken.set(token);
  return token;
}

/** Whether `given` is the banner's token, still unused (the login page shows the setup form for it only). */
export function setupTokenValid(given: string): boolean {
  const token = setupToken.get();
  if (!token) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True once, for the token the banner printed; a used or wrong token is refused. */
export function takeSetupToken(given: string): boolean {
  if (!setupTokenValid(given)) return false;
  setupToken.set(null);
  return true;
}
