/**
 * A device's online/offline history over a window, as segments of a horizontal bar. Built from the
 * status changes the store keeps for every convention (GET /api/devices/{id}/status, each with its
 * reason: an LWT, an NDEATH with its bdSeq, a Homie $state) and those that arrive live. Pure: the
 * segments tile the window exactly, and a time nothing is known about is `unknown`, never guessed.
 */
import type { DeviceStatus } from "../devices/model";

export interface StatusChange {
  t: number;
  status: "online" | "offline";
  /** Why, as the convention said it. */
  reason?: string;
}

export interface StatusSegment {
  from: number;
  to: number;
  status: DeviceStatus;
  /** The reason of the change that began it. */
  reason?: string;
}

/** Changes asked of the store per window; beyond them the oldest part is `unknown`. */
export const STATUS_BACKFILL_LIMIT = 1000;

/** GET /api/devices/{id}/status's answer. */
export interface StoredStatusHistory {
  changes: { ts: number; status: string; reason: string | null }[];
  before: { ts: number; status: string; reason: string | null } | null;
  truncated: boolean;
}

/**
 * The stored history as changes: the window's, and the one it opens with unless the window's
 * were cut (then what opens the fetched part is not known). Statuses other than online and
 * offline (unknown) say nothing of the time.
 */
export function storedChanges(h: StoredStatusHistory): StatusChange[] {
  const out: StatusChange[] = [];
  for (const c of h.truncated || !h.before ? h.changes : [...h.changes, h.before]) {
    if (c.status === "online" || c.status === "offline") out.push(c.reason ? { t: c.ts, status: c.status, reason: c.reason } : { t: c.ts, status: c.status });
  }
  return out;
}

/**
 * Segments covering [from, to]: `before` is the status as the window opens (the last change before
 * it), then each change inside the window; repeats of the same status join one segment.
 */
export function statusSegments(changes: readonly StatusChange[], before: DeviceStatus, from: number, to: number, beforeReason?: string): StatusSegment[] {
  if (!(to > from)) return [];
  const inside = changes.filter((c) => c.t > from && c.t <= to).sort((a, b) => a.t - b.t);
  const out: StatusSegment[] = [beforeReason ? { from, to, status: before, reason: beforeReason } : { from, to, status: before }];
  for (const c of inside) {
    const last = out[out.length - 1]!;
    if (last.status === c.status) continue;
    if (c.t === last.from) {
      out[out.length - 1] = withReason({ from: last.from, to: last.to, status: c.status }, c.reason);
      const prev = out[out.length - 2];
      if (prev && prev.status === c.status) out.splice(-2, 2, { from: prev.from, to, status: c.status });
      continue;
    }
    last.to = c.t;
    out.push(withReason({ from: c.t, to, status: c.status }, c.reason));
  }
  return out;
}

const withReason = (s: StatusSegment, reason: string | undefined): StatusSegment => (reason ? { ...s, reason } : s);

/** The latest change at or before `at`, or null. */
export function changeAt(changes: readonly StatusChange[], at: number): StatusChange | null {
  let best: StatusChange | null = null;
  for (const c of changes) if (c.t <= at && (!best || c.t >= best.t)) best = c;
  return best;
}

/** The status as a window opens: the latest change at or before `from`, else unknown. */
export const statusAt = (changes: readonly StatusChange[], at: number): DeviceStatus => changeAt(changes, at)?.status ?? "unknown";

/** Share of the known time the device was online, 0…1; null when nothing is known. */
export function onlineShare(segments: readonly StatusSegment[]): number | null {
  let known = 0;
  let online = 0;
  for (const s of segments) {
    if (s.status === "unknown") continue;
    known += s.to - s.from;
    if (s.status === "online") online += s.to - s.from;
  }
  return known > 0 ? online / known : null;
}

/**
 * A share as a percentage that never says all or nothing unless it is: 99.8 % rounds to 100, and
 * "online 100%" beside an offline spell on the timeline read as a wrong sum. Whole percents, and
 * one decimal (toward 50) where a whole would read 0 or 100.
 */
export function sharePercent(share: number): string {
  if (share >= 1) return "100%";
  if (share <= 0) return "0%";
  const whole = Math.round(share * 100);
  if (whole > 0 && whole < 100) return `${whole}%`;
  const tenths = whole === 0 ? Math.max(0.1, Math.ceil(share * 1000) / 10) : Math.min(99.9, Math.floor(share * 1000) / 10);
  return `${tenths.toFixed(1)}%`;
}
