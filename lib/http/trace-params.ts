/** GET /api/trace query parameters: what the wire view or a Delivery panel wants to see. */
import { z } from "zod";
import { PACKET_TYPES } from "../mqtt/packet";
import type { TraceEvent } from "../mqtt/packet";
import { firstProblem } from "./query-params";

/** Past packets sent before the live ones, at most. */
export const MAX_BACKLOG = 1000;

const schema = z
  .object({
    device: z.string().min(1).max(256).optional(),
    hop: z.string().min(1).max(256).optional(),
    type: z
      .string()
      .transform((s) => s.split(","))
      .pipe(z.array(z.enum(PACKET_TYPES)))
      .optional(),
    qos: z.enum(["0", "1", "2"]).transform(Number).optional(),
    backlog: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(0, "must be at least 0").max(MAX_BACKLOG, `must be at most ${MAX_BACKLOG}`).default(200),
  })
  .strict();

export type TraceQuery = z.infer<typeof schema>;

export function parseTraceParams(params: URLSearchParams): { ok: true; query: TraceQuery } | { ok: false; message: string } {
  const parsed = schema.safeParse(Object.fromEntries(params));
  return parsed.success ? { ok: true, query: parsed.data } : { ok: false, message: firstProblem(parsed.error, params) };
}

export function traceMatches(q: TraceQuery, e: TraceEvent): boolean {
  return (
    (q.device === undefined || e.device === q.device) &&
    (q.hop === undefined || e.hop === q.hop) &&
    (q.type === undefined || q.type.includes(e.type)) &&
    (q.qos === undefined || (e.qos === q.qos && e.flow !== undefined))
  );
}

/** The schema itself, for GET /api/openapi.json. */
export { schema as traceQuery };
