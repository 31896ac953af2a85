import "server-only";
/**
 * Where an imported capture lives on disk: the file as uploaded (`<id>.cap`, to reopen or hand
 * to Wireshark) and its decoded packets, one trace event per line (`<id>.packets.jsonl`), which
 * the packets route pages through by byte offset without holding the file.
 */
import { createReadStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { TraceEvent } from "../mqtt/packet";

export const capturePaths = (dir: string, id: string) => ({ raw: join(dir, `${id}.cap`), packets: join(dir, `${id}.packets.jsonl`) });

export const ensureCaptureDir = (dir: string) => mkdir(dir, { recursive: true });

export async function removeCaptureFiles(dir: string, id: string): Promise<void> {
  const p = capturePaths(dir, id);
  await Promise.all([rm(p.raw, { force: true }), rm(p.packets, { force: true })]);
}

/** Lines one page reads at most, matching or not: a filter that matches little still answers soon. */
export const MAX_SCANNED_LINES = 200_000;

export interface PacketPage {
  packets: TraceEvent[];
  /** Where the next page starts, or null at the end. */
  next: string | null;
}

/** A page's cursor: the byte offset of the line it starts at. */
export const cursorOf = (offset: number) => `b${offset.toString(36)}`;

export function offsetOf(cursor: string): number | null {
  const m = /^b([0-9a-z]{1,12})$/.exec(cursor);
  if (!m) return null;
  const n = parseInt(m[1]!, 36);
  return Number.isSafeInteger(n) ? n : null;
}

/** Up to `limit` packets passing `keep`, from `offset` on. */
export async function readPackets(path: string, offset: number, limit: number, keep: (e: TraceEvent) => boolean): Promise<PacketPage> {
  const stream = createReadStream(path, { start: offset });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const packets: TraceEvent[] = [];
  let at = offset;
  let scanned = 0;
  let more = false;
  try {
    for await (const line of lines) {
      if (packets.length >= limit || scanned >= MAX_SCANNED_LINES) {
        more = true;
        break;
      }
      at += Buffer.byteLength(line) + 1;
      scanned++;
      if (line === "") continue;
      const e = JSON.parse(line) as TraceEvent;
      if (keep(e)) packets.push(e);
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  return { packets, next: more ? cursorOf(at) : null };
}
