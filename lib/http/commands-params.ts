/** POST /api/commands bodies and GET /api/commands queries, validated before the service sees them. */
import { z } from "zod";
import { MAX_TIMEOUT_MS, MIN_TIMEOUT_MS, requestedCommandName } from "../commands/definitions";
import { COMMAND_STATES } from "../commands/lifecycle";
import { deviceIdParam, epochMsParam } from "./query-params";

export const MAX_COMMAND_LIMIT = 1000;
/** A CSV export takes at most this many commands; a longer audit is exported in windows. */
export const MAX_CSV_ROWS = 10_000;
/** A request body larger than this is refused before it is parsed. */
export const MAX_COMMAND_BODY_BYTES = 64 * 1024;

const topicLevel = deviceIdParam.refine((s) => !/[/+#\u0000]/.test(s), "must be one topic level, without / + #");
const idempotencyKey = z.string().min(1, "must not be empty").max(200, "is at most 200 characters");

export const commandBody = z
  .object({
    device: z.string({ error: "must be a device id (text)" }).pipe(topicLevel),
    name: z.string({ error: "must be a command name (text)" }).pipe(requestedCommandName),
    args: z.record(z.string(), z.unknown(), { error: "must be an object of argument values, e.g. {\"joint\": 1}" }).optional(),
    timeoutMs: z
      .number({ error: "must be a number of milliseconds" })
      .int("must be whole milliseconds")
      .min(MIN_TIMEOUT_MS, `must be at least ${MIN_TIMEOUT_MS} ms`)
      .max(MAX_TIMEOUT_MS, `must be at most ${MAX_TIMEOUT_MS} ms`)
      .optional(),
    idempotencyKey: z.string({ error: "must be text" }).pipe(idempotencyKey).optional(),
  })
  .strict();

const BODY_FIELDS = Object.keys(commandBody.shape).join(", ");

/** One sentence per problem, in words a person sending the request can act on. */
export function describeBodyError(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      if (i.code === "unrecognized_keys") return `${i.keys.join(", ")}: not a field of a command request (it takes ${BODY_FIELDS})`;
      if (i.path.length === 0) return `the body must be a JSON object with ${BODY_FIELDS}`;
      return `${i.path.join(".")}: ${i.message}`;
    })
    .join("; ");
}

export const idempotencyHeader = idempotencyKey;

export const commandListQuery = z
  .object({
    device: topicLevel.optional(),
    name: requestedCommandName.optional(),
    state: z.enum(COMMAND_STATES as [string, ...string[]], { error: `must be one of ${COMMAND_STATES.join(", ")}` }).optional(),
    actor: z.string().min(1).max(200).optional(),
    from: epochMsParam.optional(),
    to: epochMsParam.optional(),
    limit: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(MAX_COMMAND_LIMIT, `must be at most ${MAX_COMMAND_LIMIT}`).default(100),
    cursor: z.string().min(1).max(200, "is not one this server issued").optional(),
    format: z.enum(["json", "csv"], { error: "must be json or csv" }).default("json"),
  })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: "must not be after to", path: ["from"] });

export const commandIdParam = z.string().min(1).max(100).regex(/^[A-Za-z0-9-]+$/, "is not a command id");
