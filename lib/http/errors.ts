/**
 * The documented API error shape, `{ error: { code, message } }`, and the mapping from
 * validation failures to 400s. Every route handler answers errors through these.
 */
import { NextResponse } from "next/server";
import type { ZodError } from "zod";

export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "unavailable"
  | "internal";

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
  process.stderr.write(`fleetscope: ${where}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return apiError(500, "internal", `${where} failed; the server log has the cause`);
}
