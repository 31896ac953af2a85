/** Pieces shared by the API's query-string schemas. */
import { z } from "zod";

export const epochMsParam = z.coerce.number({ error: "must be epoch milliseconds" }).int("must be whole epoch milliseconds").min(0, "must not be negative");

export const deviceIdParam = z.string().min(1, "is required").max(256, "is at most 256 characters");

/**
 * The first problem as `name: problem`. Coercion turns a missing value into a type error, so a
 * parameter absent from the query says "is required" instead.
 */
export function firstProblem(error: z.ZodError, params: URLSearchParams): string {
  const i = error.issues[0]!;
  const name = String(i.path[0] ?? "query");
  return `${name}: ${i.path.length && !params.has(name) ? "is required" : i.message}`;
}

/** [from, to] with defaults: `to` now, `from` a span before it; from must come first. */
export function resolveRange(from: number | undefined, to: number | undefined, now: number, defaultSpanMs: number) {
  const end = to ?? now;
  const start = from ?? end - defaultSpanMs;
  return start < end ? { ok: true as const, from: start, to: end } : { ok: false as const, message: "from: must be before to" };
}
