import "server-only";
/** What the capture routes share: ids, names, and the packets route's filters. */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { WirePacketType } from "../mqtt/packet";
import { PACKET_TYPES } from "../mqtt/packet";
import type { TraceEvent } from "../mqtt/packet";

export const newCaptureId = (now: number) => `cap-${now.toString(36)}-${randomBytes(5).toString("hex")}`;
export const captureIdParam = z.string().regex(/^cap-[0-9a-z]{1,12}-[0-9a-f]{10}$/, "is not a capture id");

/** A name to list the capture under: the file's, cleaned of what would not print. */
export function captureName(raw: string | null, now: number): string {
  const cleaned = (raw ?? "").replace(/[\u0000-\u001f\u007f]/g, "").trim().slice(0, 200);
  return cleaned || `capture-${new Date(now).toISOString().replace(/[:.]/g, "-")}.pcap`;
}

export const MAX_PACKETS_PAGE = 5000;

const packetsQuery = z
  .object({
    type: z
      .string()
      .transform((s) => s.split(",").map((t) => t.trim().toLowerCase()).filter((t) => t !== ""))
      .refine((ts) => ts.every((t) => (PACKET_TYPES as readonly string[]).includes(t) && t !== "reserved"), "must be packet types, e.g. PUBLISH,PUBACK")
      .optional(),
    client: z.string().max(256).optional(),
    device: z.string().max(256).optional(),
    qos: z.enum(["0", "1", "2"], { error: "must be 0, 1 or 2" }).optional(),
    limit: z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(1, "must be at least 1").max(MAX_PACKETS_PAGE, `must be at most ${MAX_PACKETS_PAGE}`).optional(),
    cursor: z.string().max(40).optional(),
  })
  .strict();

export type PacketsQuery = z.output<typeof packetsQuery>;

export function parsePacketsQuery(params: URLSearchParams): { ok: true; query: PacketsQuery } | { ok: false; message: string } {
  const parsed = packetsQuery.safeParse(Object.fromEntries(params));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return { ok: false, message: `${i.path.join(".") || "query"}: ${i.message}` };
  }
  return { ok: true, query: parsed.data };
}

/** Whether a packet passes the query's filters (QoS only for the handshake packets, as /api/trace). */
export function packetMatches(q: PacketsQuery, e: TraceEvent): boolean {
  if (q.type && !q.type.includes(e.type as WirePacketType)) return false;
  if (q.client !== undefined && q.client !== "" && e.hop !== q.client) return false;
  if (q.device !== undefined && q.device !== "" && e.device !== q.device) return false;
  if (q.qos !== undefined && (!e.flow || String(e.qos) !== q.qos)) return false;
  return true;
}

/** The schema itself, for GET /api/openapi.json. */
export { packetsQuery };
