/** GET /api/series query parameters. */
import { z } from "zod";
import type { DeviceId, EpochMs } from "../devices/model";
import { MAX_SERIES_POINTS } from "../store/series-plan";
import type { SeriesQuery } from "../store/types";
import { deviceIdParam, epochMsParam, firstProblem, resolveRange } from "./query-params";

export const DEFAULT_SERIES_POINTS = 500;
/** With no `from`, a series covers the last hour. */
export const DEFAULT_SERIES_RANGE_MS = 3_600_000;

const schema = z
  .object({
    device: deviceIdParam,
    field: z.string().min(1, "is required").max(256),
    from: epochMsParam.optional(),
    to: epochMsParam.optional(),
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
  if (!parsed.success) return { ok: false, message: firstProblem(parsed.error, params) };
  const { device, field, points } = parsed.data;
  const range = resolveRange(parsed.data.from, parsed.data.to, now, DEFAULT_SERIES_RANGE_MS);
  if (!range.ok) return range;
  return { ok: true, query: { device: device as DeviceId, field, from: range.from as EpochMs, to: range.to as EpochMs, points } };
}

/** The schema itself, for GET /api/openapi.json. */
export { schema as seriesQuery };
