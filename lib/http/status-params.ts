/** GET /api/devices/{id}/status query parameters. */
import { z } from "zod";
import type { DeviceId, EpochMs } from "../devices/model";
import type { StatusHistoryQuery } from "../store/types";
import { epochMsParam, firstProblem, resolveRange } from "./query-params";

/** With no `from`, the last 24 hours. */
export const DEFAULT_STATUS_RANGE_MS = 24 * 3_600_000;
export const MAX_STATUS_CHANGES = 5000;
const DEFAULT_STATUS_CHANGES = 1000;

const schema = z
  .object({
    from: epochMsParam.optional(),
    to: epochMsParam.optional(),
    limit: z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(1, "must be at least 1").max(MAX_STATUS_CHANGES, `must be at most ${MAX_STATUS_CHANGES}`).optional(),
  })
  .strict();

export function parseStatusParams(device: DeviceId, params: URLSearchParams, now: number): { ok: true; query: StatusHistoryQuery } | { ok: false; message: string } {
  const parsed = schema.safeParse(Object.fromEntries(params));
  if (!parsed.success) return { ok: false, message: firstProblem(parsed.error, params) };
  const range = resolveRange(parsed.data.from, parsed.data.to, now, DEFAULT_STATUS_RANGE_MS);
  if (!range.ok) return range;
  return { ok: true, query: { device, from: range.from as EpochMs, to: range.to as EpochMs, limit: parsed.data.limit ?? DEFAULT_STATUS_CHANGES } };
}

/** The schema itself, for GET /api/openapi.json. */
export { schema as statusQuery };
