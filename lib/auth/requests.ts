/**
 * The bodies of the login and user routes, validated there and described in GET /api/openapi.json
 * (lib/http/openapi/). Route files may export only handlers, so the schemas live here.
 */
import { z } from "zod";
import { MAX_PASSWORD_LENGTH, passwordSchema, roleSchema, usernameSchema } from "./roles";

/** POST /api/auth/login. Any string up to the bound: a wrong-format name is just a wrong login, not a hint about the rules. */
export const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(MAX_PASSWORD_LENGTH) });

/** POST /api/auth/setup: the banner's one-time token and the first admin's password. */
export const setupBody = z.object({ token: z.string().min(1).max(200), password: passwordSchema });

/** POST /api/users. */
export const newUserBody = z.object({ username: usernameSchema, password: passwordSchema, role: roleSchema });

/** PATCH /api/users/{username}. */
export const userPatchBody = z
  .object({ role: roleSchema.optional(), disabled: z.boolean().optional(), password: passwordSchema.optional() })
  .strict()
  .refine((b) => b.role !== undefined || b.disabled !== undefined || b.password !== undefined, "give at least one of role, disabled, password");
