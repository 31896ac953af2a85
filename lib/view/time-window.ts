/**
 * A fixed time window on the device page: typed in as a custom range, or dragged out on a chart.
 * Pure: URL values and form text are untrusted, so every way in is validated here and tested.
 */

export interface TimeWindow {
  from: number;
  to: number;
}

/** Narrower than this is a click, not a selection, and too narrow a chart to read. */
export const MIN_WINDOW_MS = 1000;
/** The store keeps about a year at most; wider windows are typing mistakes. */
export const MAX_WINDOW_MS = 366 * 24 * 3_600_000;

/** Epoch milliseconds or an ISO date, as a pasted link may carry; NaN for anything else. */
export function instant(param: string): number {
  const s = param.trim();
  if (/^\d{1,15}$/.test(s)) return Number(s);
  return /^\d{4}-\d\d-\d\d/.test(s) ? Date.parse(s) : Number.NaN;
}

function check(from: number, to: number): { ok: true; window: TimeWindow } | { ok: false; error: string } {
  if (!Number.isFinite(from)) return { ok: false, error: "From is not a date and time." };
  if (!Number.isFinite(to)) return { ok: false, error: "To is not a date and time." };
  if (to <= from) return { ok: false, error: "From must be before To." };
  if (to - from < MIN_WINDOW_MS) return { ok: false, error: "The range must span at least a second." };
  if (to - from > MAX_WINDOW_MS) return { ok: false, error: "The range must span at most 366 days." };
  return { ok: true, window: { from: Math.round(from), to: Math.round(to) } };
}

/** What is wrong with a URL's `from` and `to`, for the page to say; null when both are absent or they make a window. */
export function windowProblem(from: string | null, to: string | null): string | null {
  if (from === null && to === null) return null;
  if (from === null || to === null) return "a window needs both from and to";
  const r = check(instant(from), instant(to));
  return r.ok ? null : r.error;
}

/** The window of a URL's `from` and `to`; null when absent or invalid, so the page falls back to its range. */
export function parseWindow(from: string | null, to: string | null): TimeWindow | null {
  if (from === null || to === null) return null;
  const r = check(instant(from), instant(to));
  return r.ok ? r.window : null;
}

/**
 * The custom range form: `datetime-local` values (`2026-11-25T14:05` or with seconds), read in the
 * browser's time zone as the user typed them. The error says what to fix.
 */
export function parseCustomRange(fromText: string, toText: string): { ok: true; window: TimeWindow } | { ok: false; error: string } {
  if (!fromText.trim() || !toText.trim()) return { ok: false, error: "Enter both From and To." };
  const local = (s: string) => (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(s.trim()) ? new Date(s.trim()).getTime() : Number.NaN);
  return check(local(fromText), local(toText));
}

const pad = (n: number) => String(n).padStart(2, "0");

/** An instant as a `datetime-local` value in the browser's time zone, to the second. */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * A drag on a chart from `a` to `b` (either direction) as a window, kept within `bounds` (what
 * the chart shows), or null when it is too narrow to be more than a click.
 */
export function zoomSelection(a: number | undefined, b: number | undefined, bounds?: [number, number]): TimeWindow | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  const [lo, hi] = bounds ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  const clamp = (t: number) => Math.min(hi, Math.max(lo, t));
  const r = check(clamp(Math.min(a, b)), clamp(Math.max(a, b)));
  return r.ok ? r.window : null;
}
