/** GET /api/delivery query parameters. */
import { z } from "zod";
import type { DeviceId, EpochMs } from "../devices/model";
import type { DeliveryQuery } from "../store/types";
import { deviceIdParam, epochMsParam, firstProblem, resolveRange } from "./query-params";

/** With no `from`, delivery covers the last 24 hours. */
export const DEFAULT_DELIVERY_RANGE_MS = 24 * 3_600_000;

const schema = z.object({ device: deviceIdParam, from: epochMsParam.optional(), to: epochMsParam.optional() }).strict();

export function parseDeliveryParams(params: URLSearchParams, now: number): { ok: true; query: DeliveryQuery } | { ok: false; message: string } {
  const parsed = schema.safeParse(Object.fromEntries(params));
  if (!parsed.success) return { ok: false, message: firstProblem(parsed.error, params) };
  const range = resolveRange(parsed.data.from, parsed.data.to, now, DEFAULT_DELIVERY_RANGE_MS);
  if (!range.ok) return range;
  return { ok: true, query: { device: parsed.data.device as DeviceId, from: range.from as EpochMs, to: range.to as EpochMs } };
}

/** The schema itself, for GET /api/openapi.json. */
export { schema as deliveryQuery };
