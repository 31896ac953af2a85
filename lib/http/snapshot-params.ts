/** GET /api/snapshot query parameters, validated before anything reaches the store. */
import { z } from "zod";
import { instantParam, topicFilterParam } from "./query-params";
import type { TopicsAtQuery } from "../store/types";

export const DEFAULT_SNAPSHOT_TOPICS = 500;
export const MAX_SNAPSHOT_TOPICS = 1000;

const schema = z
  .object({
    at: instantParam,
    topic: topicFilterParam.optional(),
    limit: z.coerce
      .number({ error: "must be a number" })
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .max(MAX_SNAPSHOT_TOPICS, `must be at most ${MAX_SNAPSHOT_TOPICS}`)
      .default(DEFAULT_SNAPSHOT_TOPICS),
    // A topic may be 65,535 bytes long, and the cursor carries the last one served.
    cursor: z.string().min(1, "must not be empty").max(90_000, "is not one this server issued").optional(),
  })
  .strict();

export function parseSnapshotParams(params: URLSearchParams) {
  return schema.safeParse(Object.fromEntries(params)) as z.ZodSafeParseResult<TopicsAtQuery>;
}

/** The schema itself, for GET /api/openapi.json. */
export { schema as snapshotQuery };
