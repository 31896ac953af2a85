import "server-only";
/** PostgreSQL rows as the objects the API serves: one mapping each, for now and for any past instant. */
import type { DeviceMeta, DeviceWithValues, EpochMs } from "../../devices/model";
import { toDevice } from "../device-row";
import { payloadForJson } from "../payload-text";
import type { StoredMessage } from "../types";
import type { QoS } from "../../mqtt/packet";

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

export const withValues = (r: DeviceRecord): DeviceWithValues => ({
  ...toDevice({ ...r, fields: Object.keys(r.latest).sort() }),
  values: r.latest as DeviceWithValues["values"],
  meta: r.meta,
});
