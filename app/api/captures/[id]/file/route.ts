import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { guard } from "@/lib/auth/guard";
import { serverConfig, store } from "@/lib/http/context";
import { apiError, badRequest, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { capturePaths } from "@/lib/captures/files";
import { captureIdParam } from "@/lib/captures/requests";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/** GET /api/captures/{id}/file → the file as imported, to open in Wireshark. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const id = captureIdParam.safeParse((await ctx.params).id);
  if (!id.success) return badRequest(`id: ${id.error.issues[0]!.message}`);
  try {
    const r = await (await store()).captures.get(id.data);
    if (!r) return apiError(404, "not_found", `no capture ${id.data}`);
    const path = capturePaths(serverConfig().captureDir, id.data).raw;
    const size = (await stat(path)).size;
    // The name is the uploader's text: only a safe subset goes into the header.
    const filename = r.name.replace(/[^A-Za-z0-9._-]/g, "_");
    return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream, {
      headers: { "content-type": "application/vnd.tcpdump.pcap", "content-length": String(size), "content-disposition": `attachment; filename="${filename}"` },
    });
  } catch (err) {
    return internalError("reading a capture's file", err);
  }
}
