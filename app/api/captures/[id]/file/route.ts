import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { serverConfig } from "@/lib/http/context";
import { internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { capturePaths } from "@/lib/captures/files";
import { requestedCapture } from "@/lib/http/route-capture";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/** GET /api/captures/{id}/file → the file as imported, to open in Wireshark. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const found = await requestedCapture(req, ctx, "viewer");
  if (found instanceof Response) return found;
  const { capture } = found;
  try {
    const path = capturePaths(serverConfig().captureDir, capture.id).raw;
    const size = (await stat(path)).size;
    // The name is the uploader's text: only a safe subset goes into the header.
    const filename = capture.name.replace(/[^A-Za-z0-9._-]/g, "_");
    return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream, {
      headers: { "content-type": "application/vnd.tcpdump.pcap", "content-length": String(size), "content-disposition": `attachment; filename="${filename}"` },
    });
  } catch (err) {
    return internalError("reading a capture's file", err);
  }
}
