import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { guard } from "@/lib/auth/guard";
import { serverConfig, store } from "@/lib/http/context";
import { apiError, badRequest, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { capturePaths } from "@/lib/captures/files";
import { FLOWS_CSV_HEADER, FlowRows } from "@/lib/captures/flows-csv";
import { captureIdParam } from "@/lib/captures/requests";
import type { TraceEvent } from "@/lib/qos/trace-hub";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/** GET /api/captures/{id}/flows → text/csv, a row per PUBLISH handshake (lib/captures/flows-csv.ts), streamed. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const id = captureIdParam.safeParse((await ctx.params).id);
  if (!id.success) return badRequest(`id: ${id.error.issues[0]!.message}`);
  try {
    if (!(await (await store()).captures.get(id.data))) return apiError(404, "not_found", `no capture ${id.data}`);
  } catch (err) {
    return internalError("reading a capture", err);
  }
  const path = capturePaths(serverConfig().captureDir, id.data).packets;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const rows = new FlowRows();
      const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
      try {
        let out = `${FLOWS_CSV_HEADER}\r\n`;
        for await (const line of lines) {
          if (line === "") continue;
          const row = rows.add(JSON.parse(line) as TraceEvent);
          if (row) out += `${row}\r\n`;
          if (out.length > 64 * 1024) {
            controller.enqueue(encoder.encode(out));
            out = "";
          }
        }
        for (const row of rows.rest()) out += `${row}\r\n`;
        controller.enqueue(encoder.encode(out));
        controller.close();
      } catch (err) {
        controller.error(err);
      } finally {
        lines.close();
      }
    },
  });
  return new Response(body, { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${id.data}-flows.csv"` } });
}
