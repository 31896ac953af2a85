import type { NextRequest } from "next/server";
import { guard } from "@/lib/http/guard";
import { badRequest } from "@/lib/http/errors";
import { parseTraceParams, traceMatches } from "@/lib/http/trace-params";
import { createSampler } from "@/lib/qos/sampler";
import { sharedTraceHub } from "@/lib/trace/hub";
import type { TraceEvent } from "@/lib/mqtt/packet";
import { otherMethods } from "@/lib/http/method-not-allowed";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/** Packets per second one stream carries at most; past it, a visible 1:N sample. */
const BUDGET_PER_SECOND = 300;
/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/**
 * GET /api/trace: Server-Sent Events, one `data:` line per packet the server's taps saw (JSON
 * TraceEvent plus `sampled`, the N of a 1:N sample), the recent backlog first, filtered by
 * device, hop, packet type and QoS.
 */
export async function GET(req: NextRequest) {
  const actor = await guard(req, "viewer");
  if (actor instanceof Response) return actor;
  const parsed = parseTraceParams(req.nextUrl.searchParams);
  if (!parsed.ok) return badRequest(parsed.message);
  const q = parsed.query;
  const hub = sharedTraceHub();
  const encoder = new TextEncoder();
  const sampler = createSampler(BUDGET_PER_SECOND);
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      // The stream's own sampling on top of the hub's.
      const send = (e: TraceEvent, every: number) => controller.enqueue(encoder.encode(`data: ${JSON.stringify({ ...e, sampled: e.sampled * every })}\n\n`));
      const backlog = hub.packets().filter((e) => traceMatches(q, e));
      for (const e of backlog.slice(Math.max(0, backlog.length - q.backlog))) send(e, 1);
      const onPacket = (e: TraceEvent) => {
        if (!traceMatches(q, e)) return;
        const { send: keep, every } = sampler.take(Date.now());
        if (keep) send(e, every);
      };
      hub.on("packet", onPacket);
      const keepalive = setInterval(() => controller.enqueue(encoder.encode(": keepalive\n\n")), KEEPALIVE_MS);
      cleanup = () => {
        hub.off("packet", onPacket);
        clearInterval(keepalive);
      };
      req.signal.addEventListener("abort", () => {
        cleanup();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      });
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", connection: "keep-alive" },
  });
}
