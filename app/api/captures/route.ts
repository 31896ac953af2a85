import { NextResponse } from "next/server";
import { guard } from "@/lib/http/guard";
import { serverConfig, store } from "@/lib/http/context";
import { apiError, internalError } from "@/lib/http/errors";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { CaptureTooLargeError, importCapture } from "@/lib/captures/import";
import { captureName, newCaptureId } from "@/lib/captures/requests";
import { parseCapturePorts, withPorts } from "@/lib/config/capture-ports";
import { listedCapture } from "@/lib/captures/summary";

export const dynamic = "force-dynamic";
export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");

/** GET /api/captures → `{ captures: [{ id, name, bytes, createdAt, createdBy, mqttPackets, flows, malformed, tcpGaps }] }`, newest first. */
export async function GET(req: Request) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  try {
    const captures = (await (await store()).captures.list()).map(listedCapture);
    return NextResponse.json({ captures }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    return internalError("listing captures", err);
  }
}

/**
 * POST /api/captures?name=<file name>&ports=<more ports, as FLEETSCOPE_CAPTURE_PORTS> (operator) with a pcap or pcapng file as the body → 201 the
 * summary (`{ id, name, bytes, frames, mqttPackets, byType, connections, flows, malformed,
 * tcpGaps, … }`); 413 past FLEETSCOPE_CAPTURE_MAX_MB. A file that is not a capture, or is cut or
 * malformed, is still kept with what could be read, and its `problems` say what is wrong.
 */
export async function POST(req: Request) {
  const actor = await guard(req, "operator");
  if (actor instanceof Response) return actor;
  const config = serverConfig();
  const declared = Number(req.headers.get("content-length") ?? "0");
  const tooLarge = () => apiError(413, "payload_too_large", new CaptureTooLargeError(config.captureMaxBytes).message);
  if (declared > config.captureMaxBytes) return tooLarge();
  if (!req.body) return apiError(400, "bad_request", "the body must be the capture file (pcap or pcapng)");
  const now = Date.now();
  const id = newCaptureId(now);
  const params = new URL(req.url).searchParams;
  const name = captureName(params.get("name"), now);
  let ports = config.capturePorts;
  try {
    // More ports for this file, beside FLEETSCOPE_CAPTURE_PORTS: a broker on a port of its own.
    const extra = params.get("ports");
    if (extra !== null) ports = withPorts(ports, parseCapturePorts(extra));
  } catch (err) {
    return apiError(400, "bad_request", `ports: ${(err as Error).message}`);
  }
  try {
    const summary = await importCapture(req.body as unknown as AsyncIterable<Uint8Array>, { dir: config.captureDir, id, name, maxBytes: config.captureMaxBytes, actor: actor.username, now, ports });
    await (await store()).captures.save({ id, name, createdAt: now, createdBy: actor.username, bytes: summary.bytes, summary: JSON.stringify(summary) });
    return NextResponse.json(summary, { status: 201 });
  } catch (err) {
    if (err instanceof CaptureTooLargeError) return tooLarge();
    return internalError("importing the capture", err);
  }
}
