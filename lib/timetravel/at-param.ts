/**
 * The time cursor in a page's URL: `?at=<epoch ms>` or an ISO time (`?at=2026-12-04T03:12:00Z`).
 * Set, the page shows the fleet as it was then; absent, it is live. Pure: a pasted link may carry
 * anything, so reading says what is wrong instead of guessing, and writing is canonical (epoch ms).
 */
import { instant } from "../view/time-window";

export type AtParam = { at: number | null; problem: string | null };

/** Reads `at`: null when absent; a problem (and live) for a value that is no instant, or one to come. */
export function parseAt(param: string | null, now: number): AtParam {
  if (param === null || param.trim() === "") return { at: null, problem: null };
  const t = instant(param);
  if (!Number.isFinite(t)) return { at: null, problem: `at ${JSON.stringify(param.slice(0, 40))} is not a time (epoch ms or ISO 8601)` };
  // Nothing is stored from the future: the live view is the latest there is.
  if (t > now) return { at: null, problem: "at is in the future: showing live" };
  return { at: Math.round(t), problem: null };
}

/** `search` (with or without its `?`) with `at` set, or removed for null, the other parameters kept in their order. */
export function withAt(search: string, at: number | null): string {
  const q = new URLSearchParams(search.startsWith("?") ? search.slice(1) : search);
  if (at === null) q.delete("at");
  else q.set("at", String(Math.round(at)));
  const s = q.toString().replace(/%2C/g, ",").replace(/%3A/g, ":");
  return s ? `?${s}` : "";
}

/** Pages that can show the past; the others go live when the cursor is set from them. */
export function takesAt(pathname: string): boolean {
  return pathname === "/" || pathname === "/topics" || pathname === "/wire" || pathname.startsWith("/devices/");
}

/**
 * `query` (a page's own canonical query, as its view writes it) with the `at` of `current` carried
 * over: a view rewriting its URL (a filter typed, a range picked) must not drop the time cursor.
 */
export function keepAt(query: string, current: string): string {
  const at = new URLSearchParams(current.startsWith("?") ? current.slice(1) : current).get("at");
  if (at === null) return query;
  const q = new URLSearchParams(query.startsWith("?") ? query.slice(1) : query);
  q.set("at", at);
  const s = q.toString().replace(/%2C/g, ",").replace(/%3A/g, ":");
  return `?${s}`;
}
