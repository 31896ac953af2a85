/** GET /api/series query parameters. */
import { z } from "zod";
import type { DeviceId, EpochMs } from "../devices/model";
import { MAX_SERIES_POINTS } from "../store/series-plan";
import type { SeriesQuery } from "../store/types";

export const DEFAULT_SERIES_POINTS = 500;
/** With no `from`, a series covers the last hour. */
export const DEFAULT_SERIES_RANGE_MS = 3_600_000;

const epochMs = z.coerce.number({ error: "must be epoch milliseconds" }).int("must be whole epoch milliseconds").min(0, "must not be negative");

const schema = z
  .object({
    device: z.string().min(1, "is required").max(256),
    field: z.string().min(1, "is required").max(256),
    from: epochMs.optional(),
    to: epochMs.optional(),
    points: z.coerce
      .number({ error: "must be a number" })
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .max(MAX_SERIES_POINTS, `must be at most ${MAX_SERIES_POINTS}`)
      .default(DEFAULT_SERIES_POINTS),
  })
  .strict();

export function parseSeriesParams(params: URLSearchParams, now: number): { ok: true; query: SeriesQuery } | { ok: false; message: string } {
  const parsed = schema.safeParse(Object.fromEntries(params));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const name = String(i.path[0] ?? "query");
    return { ok: false, message: `${name}: ${i.path.length && !params.has(name) ? "is required" : i.message}` };
  }
  const { device, field, points } = parsed.data;
  const to = parsed.data.to ?? now;
  const from = parsed.data.from ?? to - DEFAULT_SERIES_RANGE_MS;
  if (from >= to) return { ok: false, message: "from: must be before to" };
  return { ok: true, query: { device: device as DeviceId, field, from: from as EpochMs, to: to as EpochMs, points } };
}
