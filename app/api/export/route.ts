import type { NextRequest } from "next/server";
import { guard } from "@/lib/http/guard";
import { badRequest, internalError } from "@/lib/http/errors";
import { store } from "@/lib/http/context";
import { parseExportParams } from "@/lib/http/export-params";
import { exportChunks, exportFilename } from "@/lib/history/export-lines";
import { otherMethods } from "@/lib/http/method-not-allowed";
import type { Store } from "@/lib/store/types";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

const TYPES = { jsonl: "application/x-ndjson; charset=utf-8", csv: "text/csv; charset=utf-8" } as const;

/**
 * GET /api/export?from=&to=&topic=&format=jsonl|csv: the window as a file, streamed a store page
 * at a time as the client reads (pull), so memory stays bounded however long the window.
 * `X-Fleetscope-Export-Estimate` is the count of messages in the window (before the topic
 * filter: an upper bound), for a progress bar; a failure mid-stream ends the body early.
 */
export async function GET(req: NextRequest) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const parsed = parseExportParams(req.nextUrl.searchParams);
  if (!parsed.success) return badRequest(parsed.error);
  const { format, ...window } = parsed.data;
  let s: Store;
  let estimate: number;
  try {
    s = await store();
    estimate = await s.countMessages(window.from, window.to);
  } catch (err) {
    return internalError("starting the export", err);
  }
  const chunks = exportChunks(s, window, format);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (err) {
        process.stderr.write(`fleetscope: exporting: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        controller.error(err);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "content-type": TYPES[format],
      "content-disposition": `attachment; filename="${exportFilename(window, format)}"`,
      "x-fleetscope-export-estimate": String(estimate),
      "cache-control": "no-store",
    },
  });
}
