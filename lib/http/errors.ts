/**
 * Answers in the documented API error shape (error-body.ts), and the mapping from validation
 * failures to 400s. Every route handler answers errors through these.
 */
import { NextResponse } from "next/server";
import type { ZodError } from "zod";
import { logger } from "../log/logger";
import type { ErrorCode } from "./error-body";

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
