import "server-only";
/** PostgreSQL rows as the objects the API serves: one mapping each, for now and for any past instant. */
import type { Device, DeviceId, DeviceMeta, DeviceStatus, DeviceWithValues, EpochMs } from "../devices/model";
import type { ConventionId } from "../devices/convention";
import { payloadForJson } from "./payload-text";
import type { QoS, StoredMessage } from "./types";

export interface MessageRecord {
  id: string;
  ts: string;
  topic: string;
  qos: number;
  retain: boolean;
  seq: string | null;
  payload: Buffer;
  truncated: boolean;
}

export const toStoredMessage = (r: MessageRecord): StoredMessage => ({
  ts: Number(r.ts) as EpochMs,
  topic: r.topic,
  qos: r.qos as QoS,
  retain: r.retain,
  ...payloadForJson(r.payload),
  seq: r.seq === null ? null : Number(r.seq),
  truncated: r.truncated,
});

export interface DeviceRecord {
  id: string;
  site: string;
  status: string;
  last_seen: string;
  latest: Record<string, { value: number; ts: number; unit?: string }>;
  name: string | null;
  convention: string;
  status_reason: string | null;
  since: string | null;
  meta: DeviceMeta;
}

export const withValues = (r: DeviceRecord): DeviceWithValues => ({ ...toDevice(r), values: r.latest as DeviceWithValues["values"], meta: r.meta });
function toDevice(r: DeviceRecord): Device {
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
    fields: Object.keys(r.latest).sort(),
  };
}

