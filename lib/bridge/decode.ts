/**
 * What the bridge makes of one received message: the row to store and what it says about a
 * device. Pure, so batching and the device registry are unit-tested without a broker.
 */
import { type DeviceUpdate, type MessageRow, MAX_STORED_PAYLOAD_BYTES, type QoS } from "../store/types";
import { createHash } from "node:crypto";
import { asEpochMs, type EpochMs } from "../devices/model";
import { numericFields, parseDemoTopic, parseJsonObject, parseStatus, seqOf } from "../devices/demo-convention";

/** JSON payloads larger than this are stored but not parsed for seq and fields. */
export const MAX_PARSED_PAYLOAD_BYTES = 64 * 1024;

export interface Received {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  dup: boolean;
}

/** Why a telemetry message gave no samples (it is stored all the same). */
export type SampleSkip = "too_large" | "not_json_object" | "no_numbers";

export interface Decoded {
  row: MessageRow;
  device: DeviceUpdate | null;
  /** Set when a telemetry message yielded no samples. */
  skipped?: SampleSkip;
}

/** 64 bits of SHA-1 over topic, seq and payload: the same message redelivered, not a rebooted device's seq 1. */
export function messageIdent(topic: string, seq: number, payload: Uint8Array): bigint {
  // One string for the head: the same bytes hashed as separate updates, with fewer native calls.
  return createHash("sha1").update(`${topic}\u0000${seq}\u0000`).update(payload).digest().readBigInt64BE(0);
}

/**
 * The identity of a spooled message without a seq: its spool and row. A drain repeated after a
 * crash (store committed, spool not yet cleared) then stores it once.
 */
export function spoolIdent(spool: string, id: number): bigint {
  return createHash("sha1").update(`${spool}\u0000${id}`).digest().readBigInt64BE(0);
}

export function decodeMessage(m: Received, now: EpochMs, fallbackIdent: bigint | null = null): Decoded {
  const demo = parseDemoTopic(m.topic);
  const truncated = m.payload.byteLength > MAX_STORED_PAYLOAD_BYTES;
  const payload = truncated ? m.payload.subarray(0, MAX_STORED_PAYLOAD_BYTES) : m.payload;
  // A view on the payload's bytes, not a copy of them.
  const text = m.payload.byteLength <= MAX_PARSED_PAYLOAD_BYTES ? Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength).toString("utf8") : null;
  const json = text === null ? null : parseJsonObject(text);
  const seq = seqOf(json);
  const row: MessageRow = {
    ts: now,
    topic: m.topic,
    device: demo?.device ?? null,
    qos: m.qos,
    retain: m.retain,
    dup: m.dup,
    seq,
    payload,
    truncated,
    ident: seq === null ? fallbackIdent : messageIdent(m.topic, seq, m.payload),
    fields: null,
  };
  // Only the convention's own kinds describe a device; a stray level (a `/` inside a would-be
  // device id, say) must not invent one.
  if (!demo || demo.kind === "other") {
    row.device = null;
    return { row, device: null };
  }
  const device: DeviceUpdate = { id: demo.device, site: demo.site, lastSeen: now };
  if (demo.kind === "status" && demo.rest.length === 0 && text !== null) {
    const status = parseStatus(text);
    if (status) device.status = status;
    // A retained status replayed on subscribe is old news: it says what the device is, not that
    // it spoke just now. It must not make an offline device look recently seen.
    if (m.retain) device.lastSeen = asEpochMs(0);
  }
  if (demo.kind === "telemetry" && demo.rest.length === 0 && !json) {
    return { row, device, skipped: text === null ? "too_large" : "not_json_object" };
  }
  if (demo.kind === "telemetry" && demo.rest.length === 0 && json) {
    const values: NonNullable<DeviceUpdate["values"]> = {};
    const fields = numericFields(json);
    for (const [field, value] of Object.entries(fields)) values[field] = { value, ts: now };
    device.values = values;
    row.fields = fields;
    if (Object.keys(fields).length === 0) return { row, device, skipped: "no_numbers" };
  }
  return { row, device };
}

/** One update per device for a batch, later messages winning, in arrival order. */
export function mergeDeviceUpdates(updates: Iterable<DeviceUpdate>): DeviceUpdate[] {
  const byId = new Map<string, DeviceUpdate>();
  for (const u of updates) {
    const prev = byId.get(u.id);
    if (!prev) {
      byId.set(u.id, { ...u, values: u.values ? { ...u.values } : undefined });
      continue;
    }
    prev.site = u.site;
    prev.lastSeen = asEpochMs(Math.max(prev.lastSeen, u.lastSeen));
    if (u.status) prev.status = u.status;
    // prev.values is this function's own copy: merged in place, not copied again per message.
    if (u.values) prev.values = prev.values ? Object.assign(prev.values, u.values) : { ...u.values };
  }
  return [...byId.values()];
}
