/**
 * A payload as the browser keeps it: a private copy of at most MAX_KEPT_PAYLOAD_BYTES, marked
 * truncated when the device sent more, so one 10 MB message cannot hold 10 MB per topic.
 */

export const MAX_KEPT_PAYLOAD_BYTES = 64 * 1024;

export interface BoundedPayload {
  bytes: Uint8Array;
  /** What the device sent, before truncation. */
  size: number;
  truncated: boolean;
}

export function boundedPayload(payload: Uint8Array, max = MAX_KEPT_PAYLOAD_BYTES): BoundedPayload {
  const size = payload.byteLength;
  // A view of a larger buffer is copied (MQTT.js may hand over a slice of a pooled one, and
  // keeping the view would keep all of it); a payload that owns its buffer is kept as it is.
  const owns = payload.byteOffset === 0 && payload.buffer.byteLength === size;
  const bytes = owns && size <= max ? payload : Uint8Array.prototype.slice.call(payload, 0, Math.min(size, max));
  return { bytes, size, truncated: size > max };
}
