/**
 * The header's timeline, pure: the range it spans, where a moment falls on it, and the marks it
 * draws (offline spells, alarms, commands, gaps in stored data), from what the API returned.
 */

export interface Range {
  from: number;
  to: number;
}

export const SPANS = [
  { key: "15m", label: "15 min", ms: 15 * 60_000 },
  { key: "1h", label: "1 h", ms: 3_600_000 },
  { key: "6h", label: "6 h", ms: 6 * 3_600_000 },
  { key: "24h", label: "24 h", ms: 24 * 3_600_000 },
] as const;
export type SpanKey = (typeof SPANS)[number]["key"];

/** The span ending now, live; around the cursor in the past, never reaching past now. */
export function scrubRange(cursor: number | null, now: number, spanMs: number): Range {
  const to = cursor === null ? now : Math.min(now, cursor + spanMs / 2);
  return { from: to - spanMs, to };
}

/** Where `t` falls on the range, 0 to 1. */
export function fractionOf(t: number, r: Range): number {
  return Math.min(1, Math.max(0, (t - r.from) / (r.to - r.from)));
}

/** The moment at a fraction of the range, to the whole second (a drag picks seconds, not pixels). */
export function timeAt(fraction: number, r: Range): number {
  const t = r.from + Math.min(1, Math.max(0, fraction)) * (r.to - r.from);
  return Math.min(r.to, Math.round(t / 1000) * 1000);
}

export type Mark = { kind: "offline" | "gap" | "alert"; from: number; to: number; label: string } | { kind: "alarm" | "command"; t: number; label: string };

/** A device's status changes, as the event feeds read them. */
export interface StatusChange {
  device: string;
  t: number;
  status: string;
}

/** Spells of each device offline within the range, from its status changes (in any order). */
export function offlineSpells(changes: readonly StatusChange[], r: Range): Mark[] {
  const byDevice = new Map<string, StatusChange[]>();
  for (const c of changes) {
    const list = byDevice.get(c.device) ?? [];
    list.push(c);
    byDevice.set(c.device, list);
  }
  const spells: Mark[] = [];
  for (const [device, list] of byDevice) {
    list.sort((a, b) => a.t - b.t);
    let start: number | null = null;
    for (const c of list) {
      if (c.status === "offline" && start === null) start = c.t;
      else if (c.status !== "offline" && start !== null) {
        spells.push({ kind: "offline", from: Math.max(start, r.from), to: Math.min(c.t, r.to), label: `${device} offline` });
        start = null;
      }
    }
    if (start !== null) spells.push({ kind: "offline", from: Math.max(start, r.from), to: r.to, label: `${device} offline` });
  }
  return spells.filter((s) => s.kind === "offline" && s.to >= s.from);
}

/** Spans with no stored telemetry: buckets (sorted, `bucketMs` wide) where nothing was counted, runs merged. */
export function storedGaps(buckets: readonly { t: number; count: number }[], bucketMs: number, r: Range): Mark[] {
  const counted = new Set(buckets.filter((b) => b.count > 0).map((b) => Math.floor(b.t / bucketMs)));
  const gaps: Mark[] = [];
  let start: number | null = null;
  const first = Math.floor(r.from / bucketMs);
  const last = Math.floor(r.to / bucketMs);
  for (let i = first; i <= last + 1; i++) {
    const empty = i <= last && !counted.has(i);
    if (empty && start === null) start = i;
    else if (!empty && start !== null) {
      gaps.push({ kind: "gap", from: Math.max(r.from, start * bucketMs), to: Math.min(r.to, i * bucketMs), label: "nothing stored" });
      start = null;
    }
  }
  return gaps;
}

/** Alerts active within the range (from their start to their end, or on past it), cut to the range. */
export function alertSpans(alerts: readonly { ruleName: string; device: string; severity: string; startedAt: number; endedAt: number | null }[], r: Range): Mark[] {
  const spans: Mark[] = [];
  for (const a of alerts) {
    const from = Math.max(a.startedAt, r.from);
    const to = Math.min(a.endedAt ?? r.to, r.to);
    if (to >= from && from <= r.to) spans.push({ kind: "alert", from, to, label: `alert ${a.ruleName} on ${a.device} (${a.severity})` });
  }
  return spans;
}
