/**
 * A page of samples from a store's rows: one row per (message, series of its device), the
 * sample's field and value null where that series has no point from that message (a status
 * message, another topic's fields). Every message of the page has at least one row, so the
 * cursor is the page's last message whether or not it carried samples.
 */
import type { DeviceId, EpochMs } from "../devices/model";
import { encodeCursor } from "./cursor";
import type { SamplePage } from "./types";

export interface SampleRow {
  id: number | string;
  ts: number | string;
  topic: string;
  device: string | null;
  field: string | null;
  value: number | null;
}

export function samplePage(rows: readonly SampleRow[], limit: number): SamplePage {
  const messages = new Set(rows.map((r) => String(r.id))).size;
  const last = rows[rows.length - 1];
  const samples = [];
  for (const r of rows) {
    if (r.field === null || r.value === null || r.device === null) continue;
    samples.push({ ts: Number(r.ts) as EpochMs, topic: r.topic, device: r.device as DeviceId, field: r.field, value: r.value });
  }
  return { samples, next: messages >= limit && last ? encodeCursor({ ts: Number(last.ts), id: Number(last.id) }) : null };
}
