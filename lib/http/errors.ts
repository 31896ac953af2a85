/**
 * The documented API error shape, `{ error: { code, message } }`, and the mapping from
 * validation failures to 400s. Every route handler answers errors through these.
 */
import { NextResponse } from "next/server";
import { z, type ZodError } from "zod";
import { logger } from "../log/logger";

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

/** The shape itself, for GET /api/openapi.json; some errors add keys beside `error`. */
export const apiErrorBody = z.looseObject({ error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }) });

export function apiError(status: number, code: ErrorCode, message: string, extra?: Record<string, unknown>) {
  return NextResponse.json({ error: { code, message }, ...extra }, { status });
}

/** One readable sentence naming each offending parameter. */
export function describeZodError(error: ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}

export const badRequest = (error: ZodError | string) =>
  apiError(400, "bad_request", typeof error === "string" ? error : describeZodError(error));

/** Logs the cause server-side (never leaks it) and answers 500. */
export function internalError(where: string, err: unknown) {
  logger("http").error({ err }, `${where} failed`);
  return apiError(500, "internal", `${where} failed; the server log has the cause`);
}
