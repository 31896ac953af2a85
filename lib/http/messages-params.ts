/** GET /api/messages query parameters, validated before anything reaches the store. */
import { z } from "zod";
import { topicFilterParam } from "./query-params";
import type { EpochMs } from "../devices/model";
import type { MessageQuery } from "../store/types";

export const DEFAULT_MESSAGE_LIMIT = 100;
export const MAX_MESSAGE_LIMIT = 1000;

const epochMs = z.coerce
  .number({ error: "must be epoch milliseconds" })
  .int("must be whole epoch milliseconds")
  .min(0, "must not be negative")
  .transform((n) => n as EpochMs);

const schema = z
  .object({
    topic: topicFilterParam.optional(),
    from: epochMs.optional(),
    to: epochMs.optional(),
    limit: z.coerce
      .number({ error: "must be a number" })
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .max(MAX_MESSAGE_LIMIT, `must be at most ${MAX_MESSAGE_LIMIT}`)
      .default(DEFAULT_MESSAGE_LIMIT),
    cursor: z.string().min(1, "must not be empty").max(200, "is not one this server issued").optional(),
    order: z.enum(["asc", "desc"], { error: "must be asc (oldest first, for playback) or desc (newest first)" }).optional(),
  })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: "must not be after to", path: ["from"] });

export function parseMessagesParams(params: URLSearchParams) {
  return schema.safeParse(Object.fromEntries(params)) as z.ZodSafeParseResult<MessageQuery>;
}

/** The schema itself, for GET /api/openapi.json. */
export { schema as messagesQuery };
