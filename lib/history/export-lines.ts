/**
 * A stored window as an export file, produced a page at a time (GET /api/export): JSONL of the raw
 * messages, or CSV of their numeric samples. Only one page is held at once, so a window of any size
 * streams in bounded memory; the caller pulls the next chunk when the client has taken the last.
 */
import { csvCell } from "../text/csv";
import type { EpochMs } from "../devices/model";
import type { MessagePage, MessageQuery, SamplePage, SampleQuery, StoredMessage, StoredSample } from "../store/types";

export type ExportFormat = "jsonl" | "csv";

/** Messages read per store round trip. */
export const EXPORT_PAGE = 1000;

/** What an export reads from a store (a Store has both). */
export interface ExportSource {
  queryMessages(q: MessageQuery): Promise<MessagePage>;
  querySamples(q: SampleQuery): Promise<SamplePage>;
}

export interface ExportWindow {
  from: EpochMs;
  to: EpochMs;
  topic?: string;
}

/** One message as a JSONL line: receipt time, topic, QoS, retain, payload in its encoding. */
export const jsonlLine = (m: StoredMessage) =>
  `${JSON.stringify({ ts: m.ts, topic: m.topic, qos: m.qos, retain: m.retain, payload: m.payload, encoding: m.encoding, ...(m.truncated ? { truncated: true } : {}) })}\n`;

export const CSV_HEADER = "ts,time,device,topic,field,value\n";

/** One sample as a CSV row; text from devices goes through csvCell (quoted, never a formula). */
export const csvRow = (s: StoredSample) => `${s.ts},${new Date(s.ts).toISOString()},${csvCell(s.device)},${csvCell(s.topic)},${csvCell(s.field)},${s.value}\n`;

/** The file's chunks in order: a header (CSV), then one chunk per page of the store. */
export async function* exportChunks(source: ExportSource, w: ExportWindow, format: ExportFormat): AsyncGenerator<string> {
  let cursor: string | undefined;
  if (format === "csv") yield CSV_HEADER;
  do {
    if (format === "jsonl") {
      const page = await source.queryMessages({ ...w, limit: EXPORT_PAGE, cursor, order: "asc" });
      if (page.messages.length) yield page.messages.map(jsonlLine).join("");
      cursor = page.next ?? undefined;
    } else {
      const page = await source.querySamples({ ...w, limit: EXPORT_PAGE, cursor });
      if (page.samples.length) yield page.samples.map(csvRow).join("");
      cursor = page.next ?? undefined;
    }
  } while (cursor);
}

/** `fleetscope-20261204T031200Z-20261204T031300Z.jsonl`: the window, in a name every file system takes. */
export function exportFilename(w: ExportWindow, format: ExportFormat): string {
  const stamp = (t: number) => new Date(t).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `fleetscope-${stamp(w.from)}-${stamp(w.to)}.${format}`;
}
