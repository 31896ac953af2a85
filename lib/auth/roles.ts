/**
 * Roles and what each may do (issue 9). Ordered: each role may do everything the one before it
 * may. Pure, shared by the server's guard, the broker's rules and the UI (which hides what a
 * role may not use; the server decides).
 */
import { z } from "zod";

export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Who a request acts as: the session's user and role. */
export interface Actor {
  username: string;
  role: Role;
}
export const roleSchema = z.enum(ROLES, { error: `must be one of ${ROLES.join(", ")}` });

/** viewer: sees everything · operator: also sends commands and publishes · admin: also manages users and saves convention rules. */
export function roleAllows(role: Role, need: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(need);
}

/** What the UI offers a role; the server checks again on every request. */
export function abilities(role: Role) {
  return {
    publish: roleAllows(role, "operator"),
    command: roleAllows(role, "operator"),
    // Alerts: viewers see, operators acknowledge and silence, admins edit the rules.
    acknowledge: roleAllows(role, "operator"),
    manageUsers: roleAllows(role, "admin"),
    manageRules: roleAllows(role, "admin"),
  };
}

/** One topic level-safe, log-safe name: letters, digits, `_ . -`, 1..64. */
export const usernameSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1..64 letters, digits, _ . or -");
/** Bounds what scrypt is given, at login too. */
export const MAX_PASSWORD_LENGTH = 1024;
/** Long enough to resist guessing at the login's throttled rate. */
export const passwordSchema = z.string().min(8, "must be at least 8 characters").max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);
