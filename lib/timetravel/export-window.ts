/**
 * Exporting the stored window around the cursor (GET /api/export), pure: the default window, the
 * request, and the progress of a download counted in rows as they stream in.
 */
import { validateTopicFilter } from "../mqtt/topic";
import { parseCustomRange, type TimeWindow } from "../view/time-window";

export const EXPORT_FORMATS = ["jsonl", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** Minutes either side of the cursor exported by default. */
export const AROUND_MS = 5 * 60_000;

/** The minutes around the cursor, ending no later than now. */
export function aroundCursor(cursor: number, now: number): TimeWindow {
  return { from: cursor - AROUND_MS, to: Math.min(now, cursor + AROUND_MS) };
}

export type ExportRequest = { ok: true; url: string; filename: string } | { ok: false; error: string };

/** The export asked for in the form (datetime-local From/To, a topic filter), or what to fix. */
export function exportRequest(fromText: string, toText: string, topic: string, format: ExportFormat): ExportRequest {
  const range = parseCustomRange(fromText, toText);
  if (!range.ok) return range;
  const filter = topic.trim() || "#";
  const check = validateTopicFilter(filter);
  if (!check.ok) return { ok: false, error: `Topic filter: ${check.reason}` };
  const q = new URLSearchParams({ from: String(range.window.from), to: String(range.window.to), topic: filter, format });
  return { ok: true, url: `/api/export?${q}`, filename: `fleetscope-${range.window.from}-${range.window.to}.${format}` };
}

const NEWLINE = 10;

/** Rows (lines) in a chunk of the streamed body. */
export function countLines(chunk: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < chunk.length; i++) if (chunk[i] === NEWLINE) n++;
  return n;
}

/** "1,234 of about 5,000 rows (25%)", or the count alone when the server gave no estimate. */
export function progressText(rows: number, estimate: number | null): string {
  const n = rows.toLocaleString("en-US");
  if (estimate === null || !(estimate > 0)) return `${n} rows`;
  return `${n} of about ${estimate.toLocaleString("en-US")} rows (${Math.min(100, Math.floor((rows / estimate) * 100))}%)`;
}
