/**
 * A stored message (GET /api/messages, /api/snapshot) as the live paths take one: the fleet's
 * batches want a `LiveMessage`, the topic tree a `TopicMessage`. One conversion, so a message
 * replayed from the store reads exactly as it read when it arrived.
 */
import { base64ToBytes } from "../payload/decoders";
import type { StoredMessage } from "../store/types";
import type { LiveMessage } from "../state/live-devices";
import type { TopicMessage } from "../topics/tree";

/** What playback needs of a stored message; the API sends more. */
export type PlayedMessage = Pick<StoredMessage, "ts" | "topic" | "qos" | "retain" | "payload" | "encoding">;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bytesOf(m: PlayedMessage): Uint8Array {
  return m.encoding === "base64" ? (base64ToBytes(m.payload) ?? new Uint8Array()) : encoder.encode(m.payload);
}

export function toLive(m: PlayedMessage): LiveMessage & { bytes: Uint8Array } {
  const bytes = bytesOf(m);
  return { topic: m.topic, payload: m.encoding === "base64" ? decoder.decode(bytes) : m.payload, bytes, retain: m.retain, ts: m.ts };
}

/** A snapshot's message brings its topic's count up to then (TopicAtMessage); a played one does not. */
export function toTopic(m: PlayedMessage & { count?: number }): TopicMessage {
  return { topic: m.topic, payload: bytesOf(m), qos: m.qos, retain: m.retain, ts: m.ts, ...(m.count === undefined ? {} : { count: m.count }) };
}
