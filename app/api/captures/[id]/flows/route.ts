import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { serverConfig } from "@/lib/http/context";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { capturePaths } from "@/lib/captures/files";
import { FLOWS_CSV_HEADER, FlowRows } from "@/lib/captures/flows-csv";
import { requestedCapture } from "@/lib/http/route-capture";
import type { TraceEvent } from "@/lib/mqtt/packet";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/** GET /api/captures/{id}/flows → text/csv, a row per PUBLISH handshake (lib/captures/flows-csv.ts), streamed. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const found = await requestedCapture(req, ctx, "viewer");
  if (found instanceof Response) return found;
  const id = found.capture.id;
  const path = capturePaths(serverConfig().captureDir, id).packets;
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
  return new Response(body, { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${id}-flows.csv"` } });
}
