/** Pieces shared by the API's query-string schemas. */
import { z } from "zod";
import type { EpochMs } from "../devices/model";
import { validateTopicFilter } from "../mqtt/topic";
import { instant } from "../view/time-window";

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

/** An instant as a link may carry it: epoch milliseconds or an ISO 8601 time, as epoch ms. */
export const instantParam = z.string({ error: "is required: epoch milliseconds or an ISO 8601 time" }).transform((s, ctx) => {
  const t = instant(s);
  if (Number.isFinite(t) && t >= 0) return Math.round(t) as EpochMs;
  ctx.addIssue({ code: "custom", message: "must be epoch milliseconds or an ISO 8601 time" });
  return z.NEVER;
});

/** A topic name or an MQTT filter (`+`, `#`), valid as the spec says. */
export const topicFilterParam = z.string().superRefine((s, ctx) => {
  const check = validateTopicFilter(s);
  if (!check.ok) ctx.addIssue({ code: "custom", message: check.reason });
});
