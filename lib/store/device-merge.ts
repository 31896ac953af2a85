/**
 * How a stored device takes in an update, the same in every store: the status's `since` moves
 * only when the status changes, and a convention's description replaces what it said before, key by key.
 */
import type { DeviceMeta, DeviceStatus, EpochMs } from "../devices/model";
import type { DeviceUpdate, StatusHistory, StoredStatusChange } from "./types";

export interface StoredStatus {
  status: string;
  reason: string | null;
  since: number | null;
}

export function mergeStatus(old: StoredStatus | null, u: DeviceUpdate): StoredStatus {
  if (!u.status) return old ?? { status: "unknown", reason: null, since: null };
  const changed = !old || old.status !== u.status || old.since === null;
  return { status: u.status, reason: u.statusReason ?? old?.reason ?? null, since: changed ? (u.since ?? null) : old.since };
}

/** Key by key, the update winning (as PostgreSQL's jsonb `||`): a convention says a key whole. */
export function mergeMeta(old: DeviceMeta, update: DeviceMeta | undefined): DeviceMeta {
  return update ? { ...old, ...update } : old;
}

/**
 * The status change an update records in the history (status_changes), or null: one whose status
 * differs from the stored one, at the time it took effect. A retained replay (no time known, as
 * `lastSeen` 0 says) updates the device but dates nothing.
 */
export function statusChangeOf(old: StoredStatus | null, u: DeviceUpdate): { ts: number; status: string; reason: string | null } | null {
  if (!u.status || (old && old.status === u.status)) return null;
  const ts = u.since ?? u.lastSeen;
  return ts > 0 ? { ts, status: u.status, reason: u.statusReason ?? null } : null;
}

type StatusRow = { ts: number | string; status: string; reason: string | null };
const toChange = (r: StatusRow): StoredStatusChange => ({ ts: Number(r.ts) as EpochMs, status: r.status as DeviceStatus, reason: r.reason });

/** A store's rows as the history: `inside` newest first, one more than `limit` if there are more. */
export function statusHistory(inside: readonly StatusRow[], before: StatusRow | undefined, limit: number): StatusHistory {
  return { changes: inside.slice(0, limit).map(toChange), before: before ? toChange(before) : null, truncated: inside.length > limit };
}
