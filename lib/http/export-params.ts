/** GET /api/export query parameters, validated before anything reaches the store. */
import { z } from "zod";
import { instantParam, topicFilterParam } from "./query-params";
import type { ExportFormat, ExportWindow } from "../history/export-lines";

const schema = z
  .object({
    from: instantParam,
    to: instantParam,
    topic: topicFilterParam.optional(),
    format: z.enum(["jsonl", "csv"], { error: "must be jsonl (raw messages) or csv (series)" }).default("jsonl"),
  })
  .strict()
  .refine((q) => q.from <= q.to, { message: "must not be after to", path: ["from"] });

export function parseExportParams(params: URLSearchParams) {
  return schema.safeParse(Object.fromEntries(params)) as z.ZodSafeParseResult<ExportWindow & { format: ExportFormat }>;
}

/** The schema itself, for GET /api/openapi.json. */
export { schema as exportQuery };
