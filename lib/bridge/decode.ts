/**
 * What the bridge makes of one received message: the row to store and what the conventions
 * (lib/devices/registry.ts) say it means for which devices. Pure but for the interpreter's
 * learned state, so batching and the device registry are unit-tested without a broker.
 */
import { type DeviceUpdate, type MessageRow, MAX_STORED_PAYLOAD_BYTES } from "../store/types";
import type { QoS } from "../mqtt/packet";
import { createHash } from "node:crypto";
import { asEpochMs, type EpochMs } from "../devices/model";
import type { DeviceFacts, Outbound, SeqFact } from "../devices/convention";
import { parseJsonObject, seqOf } from "../devices/conventions/demo";
import type { Interpreter, Reading } from "../devices/registry";
import { mergeMeta } from "../store/device-merge";

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
  /** What the message says about each device it concerns (usually one, the row's). */
  devices: DeviceUpdate[];
  /** Set when a telemetry message yielded no samples. */
  skipped?: SampleSkip;
  /** What a convention asks to be sent in answer (a Sparkplug rebirth request). */
  publish?: Outbound[];
}

const SKIPS = new Set<string>(["too_large", "not_json_object", "no_numbers"]);

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

/** `onReading`: told what the conventions read, before the row is made (the bridge's `decoded` event). */
export function decodeMessage(m: Received, now: EpochMs, conventions: Interpreter, fallbackIdent: bigint | null = null, onReading?: (reading: Reading) => void): Decoded {
  const truncated = m.payload.byteLength > MAX_STORED_PAYLOAD_BYTES;
  const payload = truncated ? m.payload.subarray(0, MAX_STORED_PAYLOAD_BYTES) : m.payload;
  // A view on the payload's bytes, not a copy of them.
  const text = m.payload.byteLength <= MAX_PARSED_PAYLOAD_BYTES ? Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength).toString("utf8") : null;
  const reading = conventions.read({ topic: m.topic, payload: m.payload, text, retain: m.retain, qos: m.qos, ts: now });
  onReading?.(reading);
  // A message no convention counts still carries its own `seq` when its JSON has one: the store
  // counts loss and recognises redeliveries on any topic by it, as before conventions.
  const seq = reading.seq ?? (reading.by.length === 0 && text !== null ? topLevelSeq(m.topic, text) : null);
  const row: MessageRow = {
    ts: now,
    topic: m.topic,
    device: reading.device,
    qos: m.qos,
    retain: m.retain,
    dup: m.dup,
    // The topic's own counter; a shared or wrapping one (Sparkplug's 0..255 per edge node) is
    // counted over its whole stream instead (sharedSeq).
    seq: seq && seq.modulo === undefined && seq.stream === m.topic ? seq.value : null,
    sharedSeq: seq && (seq.modulo !== undefined || seq.stream !== m.topic) ? { stream: seq.stream, seq: seq.value, modulo: seq.modulo ?? 0, restart: seq.restart === true } : null,
    payload,
    truncated,
    ident: seq ? messageIdent(m.topic, seq.value, m.payload) : fallbackIdent,
    fields: null,
  };
  const devices = reading.facts.map((f) => updateOf(f, now));
  const own = reading.facts.find((f) => f.id === reading.device);
  if (own?.measurements) {
    const fields: Record<string, number> = {};
    for (const name in own.measurements) fields[name] = own.measurements[name]!.value;
    if (Object.keys(fields).length > 0) row.fields = fields;
  }
  const out: Decoded = { row, devices };
  if (reading.problem !== null && SKIPS.has(reading.problem)) out.skipped = reading.problem as SampleSkip;
  if (reading.publish.length > 0) out.publish = reading.publish;
  return out;
}

function topLevelSeq(topic: string, text: string): SeqFact | null {
  const value = seqOf(parseJsonObject(text));
  return value === null ? null : { value, stream: topic };
}

/** The store's update from a convention's facts. */
export function updateOf(f: DeviceFacts, now: EpochMs): DeviceUpdate {
  const u: DeviceUpdate = { id: f.id, site: f.group, name: f.name, convention: f.convention, lastSeen: f.seen ? now : asEpochMs(0) };
  if (f.liveness) {
    u.status = f.liveness.status;
    u.statusReason = f.liveness.reason;
    u.since = f.liveness.since;
  }
  if (f.measurements) {
    const values: NonNullable<DeviceUpdate["values"]> = {};
    for (const name in f.measurements) {
      const m = f.measurements[name]!;
      values[name] = m.unit === undefined ? { value: m.value, ts: now } : { value: m.value, ts: now, unit: m.unit };
    }
    u.values = values;
  }
  if (f.model !== undefined || f.maker !== undefined || f.sources !== undefined || f.commands !== undefined) {
    u.meta = {};
    if (f.model !== undefined) u.meta.model = f.model;
    if (f.maker !== undefined) u.meta.maker = f.maker;
    if (f.sources !== undefined) u.meta.sources = f.sources;
    if (f.commands !== undefined) u.meta.commands = f.commands;
  }
  return u;
}

/** One update per device for a batch, later messages winning, in arrival order. */
export function mergeDeviceUpdates(updates: Iterable<DeviceUpdate>): DeviceUpdate[] {
  const byId = new Map<string, DeviceUpdate>();
  for (const u of updates) {
    const prev = byId.get(u.id);
    if (!prev) {
      byId.set(u.id, { ...u, values: u.values ? { ...u.values } : undefined, meta: u.meta ? { ...u.meta } : undefined });
      continue;
    }
    prev.site = u.site;
    prev.name = u.name;
    prev.convention = u.convention;
    if (u.meta) prev.meta = mergeMeta(prev.meta ?? {}, u.meta);
    if (u.status) {
      // The first change of the batch is when the status began, unless it changes again.
      if (u.status !== prev.status || prev.since === undefined) prev.since = u.since;
      prev.statusReason = u.statusReason;
    }
    prev.lastSeen = asEpochMs(Math.max(prev.lastSeen, u.lastSeen));
    if (u.status) prev.status = u.status;
    // prev.values is this function's own copy: merged in place, not copied again per message.
    if (u.values) prev.values = prev.values ? Object.assign(prev.values, u.values) : { ...u.values };
  }
  return [...byId.values()];
}
