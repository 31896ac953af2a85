/**
 * A JSON request body, bounded and validated: at most `maxBytes` are read (a 10 MB body is
 * refused after the first chunk past the limit, not buffered), then parsed and checked with
 * `schema`. Failures come back as the documented error responses.
 */
import type { z } from "zod";
import { apiError, badRequest, describeZodError } from "./errors";

export const MAX_JSON_BODY_BYTES = 16 * 1024;

export interface BodyOptions {
  maxBytes?: number;
  /** Words for the schema's problems, where the route can say more than the field paths. */
  describe?: (error: z.ZodError) => string;
}

export async function readJsonBody<S extends z.ZodType>(
  req: Request,
  schema: S,
  { maxBytes = MAX_JSON_BODY_BYTES, describe = describeZodError }: BodyOptions = {},
): Promise<{ ok: true; data: z.infer<S> } | { ok: false; response: Response }> {
  const tooLarge = () => ({ ok: false as const, response: apiError(413, "payload_too_large", `the body must be at most ${maxBytes} bytes`) });
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) return tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return tooLarge();
      }
      chunks.push(value);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return { ok: false, response: badRequest("the body must be JSON") };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, response: badRequest(describe(parsed.error)) };
  return { ok: true, data: parsed.data };
}
