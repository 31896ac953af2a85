/** A devices row's columns as the API's device, the same in every store (each reads its own column types first). */
import type { ConventionId } from "../devices/convention";
import type { Device, DeviceId, DeviceStatus, EpochMs } from "../devices/model";

export interface DeviceColumns {
  id: string;
  name: string | null;
  site: string;
  convention: string;
  status: string;
  status_reason: string | null;
  /** PostgreSQL's BIGINT arrives as text. */
  since: number | string | null;
  last_seen: number | string;
  fields: string[];
}

export function toDevice(r: DeviceColumns): Device {
  return {
    id: r.id as DeviceId,
    name: r.name ?? r.id,
    group: r.site,
    site: r.site,
    convention: r.convention as ConventionId,
    status: r.status as DeviceStatus,
    statusReason: r.status_reason,
    since: r.since === null ? null : (Number(r.since) as EpochMs),
    lastSeen: Number(r.last_seen) as EpochMs,
    fields: r.fields,
  };
}
