/**
 * The documented API error shape, `{ error: { code, message } }`, with the one status each code
 * comes with. Imports nothing of the server: the routes answer with it (errors.ts) and the
 * browser's client (lib/api-client) reads it with the same schema.
 */
import { z } from "zod";

/** Every code, with the one status it comes with. */
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** The shape itself, for GET /api/openapi.json and the client; some errors add keys beside `error`. */
export const apiErrorBody = z.looseObject({ error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }) });
