/**
 * How a stored device takes in an update, the same in every store: the status's `since` moves
 * only when the status changes, and a convention's description replaces what it said before, key by key.
 */
import type { DeviceMeta } from "../devices/model";
import type { DeviceUpdate } from "./types";

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
