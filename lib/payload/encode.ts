/**
 * What the publish tool sends: the payload the user typed, in the format they chose, as bytes;
 * or which field is wrong and why, before anything is sent.
 */
import { validateTopicName } from "../mqtt/topic";
import { base64ToBytes } from "./decoders";

export const PAYLOAD_FORMATS = ["text", "json", "hex", "base64"] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

/** Brokers commonly cap packets near here (Mosquitto's default message_size_limit is larger, Aedes has none). */
export const MAX_PUBLISH_BYTES = 256 * 1024;

export type Encoded = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

export function encodePayload(text: string, format: PayloadFormat): Encoded {
  let bytes: Uint8Array;
  switch (format) {
    case "text":
      bytes = new TextEncoder().encode(text);
      break;
    case "json":
      try {
        JSON.parse(text);
      } catch (err) {
        return { ok: false, error: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
      }
      bytes = new TextEncoder().encode(text);
      break;
    case "hex": {
      const compact = text.replace(/\s+/g, "").replace(/^0x/i, "");
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(compact)) return { ok: false, error: "hex needs pairs of 0-9 and a-f (spaces allowed)" };
      bytes = new Uint8Array(compact.length / 2);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(compact.slice(2 * i, 2 * i + 2), 16);
      break;
    }
    case "base64": {
      if (text.trim() === "") {
        bytes = new Uint8Array();
        break;
      }
      const decoded = base64ToBytes(text);
      if (!decoded) return { ok: false, error: "not valid base64" };
      bytes = decoded;
      break;
    }
  }
  if (bytes.byteLength > MAX_PUBLISH_BYTES) return { ok: false, error: `payload is ${bytes.byteLength} bytes; at most ${MAX_PUBLISH_BYTES} are sent from here` };
  return { ok: true, bytes };
}

export interface PublishForm {
  topic: string;
  payload: string;
  format: PayloadFormat;
}

/** Errors by field name, empty when the form may be sent. */
export function checkPublishForm(form: PublishForm): { errors: Partial<Record<"topic" | "payload", string>>; bytes: Uint8Array | null } {
  const errors: Partial<Record<"topic" | "payload", string>> = {};
  const topic = validateTopicName(form.topic);
  if (!topic.ok) errors.topic = topic.reason;
  const encoded = encodePayload(form.payload, form.format);
  if (!encoded.ok) errors.payload = encoded.error;
  return { errors, bytes: encoded.ok && topic.ok ? encoded.bytes : null };
}
