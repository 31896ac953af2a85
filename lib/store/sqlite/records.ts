import "server-only";
/** SQLite rows as the objects the API serves: one mapping each, for now and for any past instant. */
import type { DeviceMeta, DeviceWithValues, EpochMs } from "../../devices/model";
import { toDevice } from "../device-row";
import { payloadForJson } from "../payload-text";
import type { DeviceRecord } from "./schema";
import type { StoredMessage } from "../types";
import type { QoS } from "../../mqtt/packet";

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
  ...toDevice({ ...r, fields: JSON.parse(r.fields) as string[] }),
  values: JSON.parse(r.latest) as DeviceWithValues["values"],
  meta: JSON.parse(r.meta) as DeviceMeta,
});
