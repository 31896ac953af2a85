/**
 * The messages of one topic the explorer lists: those this browser saw (newest first, bounded)
 * and, on request, older ones from the store, which continue the list where the live ones end
 * so the two never overlap.
 */
import { boundedPayload, type BoundedPayload } from "../payload/bounded";
import { base64ToBytes } from "../payload/decoders";
import type { QoS } from "../mqtt/packet";
import type { TopicMessage } from "./tree";
import type { MessageProperties } from "../mqtt/message-properties";

export const RECENT_LIVE = 100;
export const RECENT_STORED = 1000;

export interface RecentMessage {
  ts: number;
  payload: BoundedPayload;
  qos: QoS;
  retain: boolean;
  source: "live" | "stored";
  /** MQTT 5 properties it came with (the store keeps none). */
  props?: MessageProperties;
}

/** A message as GET /api/messages returns it. */
export interface StoredMessage {
  ts: number;
  topic: string;
  qos: number;
  retain: boolean;
  payload: string;
  encoding: "utf8" | "base64" | string;
}

export function addLive(list: readonly RecentMessage[], topic: string, batch: readonly TopicMessage[]): readonly RecentMessage[] {
  const fresh: RecentMessage[] = [];
  for (let i = batch.length - 1; i >= 0; i--) {
    const m = batch[i]!;
    if (m.topic === topic) fresh.push({ ts: m.ts, payload: boundedPayload(m.payload), qos: m.qos, retain: m.retain, source: "live", ...(m.props && { props: m.props }) });
  }
  if (fresh.length === 0) return list;
  const live = list.filter((m) => m.source === "live");
  const stored = list.filter((m) => m.source === "stored");
  return [...fresh, ...live].slice(0, RECENT_LIVE).concat(stored);
}

/** Where stored messages should end: just before the oldest one listed. */
export function storedUntil(list: readonly RecentMessage[], now: number): number {
  return list.length > 0 ? list[list.length - 1]!.ts - 1 : now;
}

/** A stored copy this close in time to a live message with the same bytes is that message. */
export const SAME_MESSAGE_MS = 2000;

/** A stored message's bytes, as the API encoded them. */
export function storedBytes(m: StoredMessage): Uint8Array {
  return m.encoding === "base64" ? (base64ToBytes(m.payload) ?? new Uint8Array()) : new TextEncoder().encode(m.payload);
}

export function addStored(list: readonly RecentMessage[], stored: readonly StoredMessage[]): readonly RecentMessage[] {
  const until = storedUntil(list, Number.POSITIVE_INFINITY);
  const live = list.filter((m) => m.source === "live");
  const older = stored
    .filter((m) => m.ts <= until)
    .map((m): RecentMessage => {
      return { ts: m.ts, payload: boundedPayload(storedBytes(m)), qos: (m.qos === 1 || m.qos === 2 ? m.qos : 0) as QoS, retain: m.retain, source: "stored" };
    })
    // Browser and bridge stamp times apart (a retained message is stamped again when it is
    // replayed), so the cut by time can let a live message's stored copy through.
    .filter((m) => !live.some((l) => Math.abs(l.ts - m.ts) <= SAME_MESSAGE_MS && sameBytes(l.payload.bytes, m.payload.bytes)))
    .sort((a, b) => b.ts - a.ts);
  // A retained message replayed on subscribe is the broker's copy of the newest stored one with
  // its bytes, however long ago that was stored: that one copy is not listed twice.
  for (const l of live) {
    if (!l.retain) continue;
    const copy = older.findIndex((m) => sameBytes(l.payload.bytes, m.payload.bytes));
    if (copy >= 0) older.splice(copy, 1);
  }
  const storedCount = list.filter((m) => m.source === "stored").length;
  return list.concat(older.slice(0, Math.max(0, RECENT_STORED - storedCount)));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
