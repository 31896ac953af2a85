import "server-only";
/** SQLite rows as the objects the API serves: one mapping each, for now and for any past instant. */
import type { Device, DeviceId, DeviceMeta, DeviceStatus, DeviceWithValues, EpochMs } from "../devices/model";
import type { ConventionId } from "../devices/convention";
import { payloadForJson } from "./payload-text";
import type { DeviceRecord } from "./sqlite-schema";
import type { QoS, StoredMessage } from "./types";

export interface MessageRecord {
  id: number;
  ts: number;
  topic: string;
  qos: number;
  retain: number;
  seq: number | null;
  payload: Buffer;
  truncated: number;
}

export const toStoredMessage = (r: MessageRecord): StoredMessage => ({
  ts: r.ts as EpochMs,
  topic: r.topic,
  qos: r.qos as QoS,
  retain: r.retain === 1,
  ...payloadForJson(r.payload),
  seq: r.seq,
  truncated: r.truncated === 1,
});

export const withValues = (r: DeviceRecord): DeviceWithValues => ({
  ...toDevice(r),
  values: JSON.parse(r.latest) as DeviceWithValues["values"],
  meta: JSON.parse(r.meta) as DeviceMeta,
});

function toDevice(r: DeviceRecord): Device {
  return {
    id: r.id as DeviceId,
    name: r.name ?? r.id,
    group: r.site,
    site: r.site,
    convention: r.convention as ConventionId,
    status: r.status as DeviceStatus,
    statusReason: r.status_reason,
    since: r.since as EpochMs | null,
    lastSeen: r.last_seen as EpochMs,
    fields: JSON.parse(r.fields) as string[],
  };
}
