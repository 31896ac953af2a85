/**
 * Durations in alert rules: milliseconds as a number, or Prometheus-style text ("10s", "5m",
 * "1h30m", "250ms"). Pure; shared by the routes, the rule editor and the evaluator.
 */
import { z } from "zod";

/** Longer than any `for`, keep-firing-for or window an operator means: a typo, not a wish. */
export const MAX_DURATION_MS = 30 * 24 * 3600_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };
/** Units largest first, each at most once, as Prometheus writes them: "1h30m", not "30m1h". */
const UNIT_ORDER = ["d", "h", "m", "s", "ms"];
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

export type DurationResult = { ok: true; ms: number } | { ok: false; reason: string };

export function parseDuration(input: unknown): DurationResult {
  if (typeof input === "number") {
    if (!Number.isFinite(input) || input < 0) return { ok: false, reason: "must be a non-negative number of milliseconds" };
    return bounded(Math.round(input));
  }
  if (typeof input !== "string") return { ok: false, reason: 'must be milliseconds or a duration such as "10s", "5m" or "1h30m"' };
  const s = input.trim();
  if (s.length === 0) return { ok: false, reason: "must not be empty" };
  if (s === "0") return { ok: true, ms: 0 };
  let ms = 0;
  let last = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const at = PART.lastIndex;
    const m = PART.exec(s);
    // A bare number in text is refused: "5000" could mean seconds to whoever typed it.
    if (!m) return { ok: false, reason: `"${input}" is not a duration: write "10s", "5m", "1h30m" or a number of milliseconds (at character ${at + 1})` };
    const order = UNIT_ORDER.indexOf(m[2]!);
    if (order <= last) return { ok: false, reason: `"${input}" repeats or misorders its units: largest first, each once ("1h30m")` };
    last = order;
    ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  return bounded(Math.round(ms));
}

function bounded(ms: number): DurationResult {
  if (ms > MAX_DURATION_MS) return { ok: false, reason: `must be at most 30 days (${MAX_DURATION_MS} ms)` };
  return { ok: true, ms };
}

/** A duration field: number or text in, milliseconds out; the issue names the field through zod's path. */
export const durationMs = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const r = parseDuration(v);
  if (r.ok) return r.ms;
  ctx.addIssue({ code: "custom", message: r.reason });
  return z.NEVER;
});

/** "10s", "5m", "1h30m": how a duration is said back to an operator (in reasons and summaries). */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000 || ms % 1000 !== 0) return `${ms}ms`;
  let rest = ms / 1000;
  let out = "";
  for (const [unit, size] of [["d", 86_400], ["h", 3600], ["m", 60], ["s", 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}
